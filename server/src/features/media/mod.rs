//! Files: resumable uploads (tus 1.0), downloads by range, and removing
//! what no message carries any more. Messaging checks the files a post
//! carries; this room keeps their bytes.

mod incoming;
mod service;
mod sniff;

pub use service::{Download, Media, Metadata};
