//! An upload's body as it arrives, cut into parts: each part streams to
//! its own blob, so the offset is recorded part by part and a lost
//! connection or a killed server costs at most one part's bytes.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

/// How an upload's body ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Still arriving.
    Open,
    /// All sent.
    Done,
    /// The connection failed: what arrived before is kept.
    Broken,
}

/// A request body, read part by part.
pub struct Incoming<S> {
    body: S,
    /// Bytes read but not yet given to a part.
    carry: Option<Bytes>,
    pub end: End,
}

impl<S, E> Incoming<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    pub fn new(body: S) -> Incoming<S> {
        Incoming {
            body,
            carry: None,
            end: End::Open,
        }
    }

    /// Whether more bytes are there, waiting for them if need be.
    pub async fn more(&mut self) -> bool {
        while self.carry.as_ref().is_none_or(Bytes::is_empty) && self.end == End::Open {
            self.carry = match self.body.next().await {
                Some(Ok(chunk)) => Some(chunk),
                Some(Err(_)) => {
                    self.end = End::Broken;
                    None
                }
                None => {
                    self.end = End::Done;
                    None
                }
            };
        }
        self.carry.as_ref().is_some_and(|c| !c.is_empty())
    }

    /// The next part: at most `size` bytes, ending early where the body
    /// does (a failed connection ends it too: the part keeps what came).
    pub fn part(&mut self, size: u64) -> Part<'_, S> {
        Part {
            from: self,
            room: size,
        }
    }
}

/// One part's bytes.
pub struct Part<'a, S> {
    from: &'a mut Incoming<S>,
    room: u64,
}

impl<S, E> Stream for Part<'_, S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.room == 0 {
            return Poll::Ready(None);
        }
        let mut chunk = match this.from.carry.take() {
            Some(chunk) => chunk,
            None if this.from.end != End::Open => return Poll::Ready(None),
            None => match ready!(this.from.body.poll_next_unpin(cx)) {
                Some(Ok(chunk)) => chunk,
                Some(Err(_)) => {
                    this.from.end = End::Broken;
                    return Poll::Ready(None);
                }
                None => {
                    this.from.end = End::Done;
                    return Poll::Ready(None);
                }
            },
        };
        let room = usize::try_from(this.room).unwrap_or(usize::MAX);
        if chunk.len() > room {
            this.from.carry = Some(chunk.split_off(room));
        }
        this.room -= chunk.len() as u64;
        Poll::Ready(Some(Ok(chunk)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    async fn parts<S, E>(incoming: &mut Incoming<S>, size: u64) -> Vec<Vec<u8>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let mut parts = Vec::new();
        while incoming.more().await {
            let chunks: Vec<_> = incoming.part(size).collect().await;
            let bytes = chunks
                .into_iter()
                .flat_map(|c| c.map(|b| b.to_vec()).unwrap_or_default())
                .collect();
            parts.push(bytes);
        }
        parts
    }

    #[tokio::test]
    async fn a_body_is_cut_into_parts_across_its_chunks() {
        let chunks = ["abc", "", "defgh", "i"].map(|c| Ok::<_, Infallible>(Bytes::from(c)));
        let mut incoming = Incoming::new(stream::iter(chunks));
        assert_eq!(
            parts(&mut incoming, 4).await,
            [b"abcd".to_vec(), b"efgh".to_vec(), b"i".to_vec()]
        );
        assert_eq!(incoming.end, End::Done);
    }

    #[tokio::test]
    async fn a_broken_body_keeps_what_arrived() {
        let chunks = vec![Ok(Bytes::from("abcdef")), Err("reset")];
        let mut incoming = Incoming::new(stream::iter(chunks));
        assert_eq!(
            parts(&mut incoming, 4).await,
            [b"abcd".to_vec(), b"ef".to_vec()]
        );
        assert_eq!(incoming.end, End::Broken);
    }
}
