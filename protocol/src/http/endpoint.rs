//! One typed value per HTTP endpoint: its method and path template, and by
//! type what it takes and answers. The server's router, the app's calls and
//! the tests all name the endpoint, so a path is written once.

use std::fmt::Display;
use std::marker::PhantomData;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// An endpoint without its types: what routing and documentation need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    pub method: Method,
    /// With `{name}` for each variable segment (axum's syntax).
    pub path: &'static str,
}

/// An endpoint taking a `Req` body (`()` for none) and answering `Resp`
/// (`()` for 204 No Content).
pub struct Endpoint<Req, Resp> {
    pub method: Method,
    pub path: &'static str,
    types: PhantomData<fn(Req) -> Resp>,
}

impl<Req, Resp> Endpoint<Req, Resp> {
    pub const fn new(method: Method, path: &'static str) -> Self {
        Endpoint {
            method,
            path,
            types: PhantomData,
        }
    }

    pub const fn route(&self) -> Route {
        Route {
            method: self.method,
            path: self.path,
        }
    }

    /// The path with its `{…}` segments filled by `args`, in order.
    pub fn at(&self, args: &[&dyn Display]) -> String {
        let mut args = args.iter();
        self.path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{')
                    && let Some(arg) = args.next()
                {
                    return arg.to_string();
                }
                segment.to_owned()
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_variable_segments_in_order() {
        let ep: Endpoint<(), ()> = Endpoint::new(Method::Delete, "/api/chats/{id}/scheduled/{msg}");
        assert_eq!(ep.at(&[&7, &"m-1"]), "/api/chats/7/scheduled/m-1");
        let plain: Endpoint<(), ()> = Endpoint::new(Method::Get, "/api/me");
        assert_eq!(plain.at(&[]), "/api/me");
    }
}
