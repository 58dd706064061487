//! SQL built at run time (lists, `VALUES` rows, optional clauses) with its
//! values, each placeholder numbered in the backend's own way.
//!
//! sqlx's `QueryBuilder` cannot serve here: in code generic over the
//! backend, running what it built keeps it borrowed until it is dropped.
//! A [`Statement`] owns its text and values and lends them to one query.

use std::marker::PhantomData;

use sqlx::query::Query;
use sqlx::{Database, Encode, Postgres, Sqlite, Type};

/// How a backend numbers a statement's parameters.
pub trait Placeholder {
    fn placeholder(n: usize) -> String;
}

/// Plain `?`, taken in order: sqlx asks SQLite the name of every numbered
/// or named parameter, a walk of all of them each time, which made a batch
/// of thousands of values cost most of a commit.
impl Placeholder for Sqlite {
    fn placeholder(_: usize) -> String {
        "?".to_owned()
    }
}

impl Placeholder for Postgres {
    fn placeholder(n: usize) -> String {
        format!("${n}")
    }
}

/// A value a statement binds.
pub(super) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_owned()))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        Value::Text(v.map(str::to_owned))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Bytes(v.to_vec())
    }
}

pub(super) struct Statement<DB> {
    sql: String,
    values: Vec<Value>,
    backend: PhantomData<DB>,
}

impl<DB: Database + Placeholder> Statement<DB> {
    pub(super) fn new(sql: impl Into<String>) -> Statement<DB> {
        Statement {
            sql: sql.into(),
            values: Vec::new(),
            backend: PhantomData,
        }
    }

    pub(super) fn push(&mut self, sql: &str) -> &mut Statement<DB> {
        self.sql.push_str(sql);
        self
    }

    /// Keeps `value` and gives its placeholder, for text written later:
    /// placeholders must appear in the text in the order their values were
    /// given (SQLite's are positional).
    pub(super) fn arg(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        DB::placeholder(self.values.len())
    }

    /// Appends `value`'s placeholder.
    pub(super) fn bind(&mut self, value: impl Into<Value>) -> &mut Statement<DB> {
        let placeholder = self.arg(value);
        self.push(&placeholder)
    }

    /// Appends one placeholder per item, separated by commas.
    pub(super) fn list<T, V: Into<Value>>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut value: impl FnMut(T) -> V,
    ) -> &mut Statement<DB> {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value(item));
        }
        self
    }

    /// Appends `VALUES (…), (…)`: a row of placeholders per item.
    pub(super) fn values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(T) -> Vec<Value>,
    ) -> &mut Statement<DB> {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i > 0 { ", (" } else { "(" });
            self.list(row(item), |v| v);
            self.push(")");
        }
        self
    }

    /// The statement as a query of backend `DB`, its values lent to it.
    pub(super) fn query<'s>(&'s self) -> Query<'s, DB, DB::Arguments<'s>>
    where
        Option<i64>: Encode<'s, DB> + Type<DB>,
        Option<&'s str>: Encode<'s, DB> + Type<DB>,
        &'s [u8]: Encode<'s, DB> + Type<DB>,
    {
        self.values
            .iter()
            .fold(sqlx::query(&self.sql), |query, value| match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.as_deref()),
                Value::Bytes(v) => query.bind(v.as_slice()),
            })
    }
}
