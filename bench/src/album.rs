//! A photo album from send to shown: the sender uploads three photos by
//! tus and posts them in one message; the other member's socket gets the
//! message and downloads the photos, as the app does to show them. Beside
//! it, in the same run, between the same two sockets: a text message from
//! send to received, which is the album's path without its files.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::Context;
use courier_protocol::http::media::TUS_VERSION;
use courier_protocol::{
    Attachment, ChatId, ClientFrame, ClientMsgId, Content, FileId, MediaKind, ServerFrame,
};
use hdrhistogram::Histogram;

use crate::client::{self, Sink, Stream};
use crate::target::{self, Server};

/// Albums (and text messages) sent, one after another.
const ROUNDS: usize = 50;
const PHOTOS: usize = 3;
/// Each photo's size: a phone photo redrawn by the app at 2560 px is a few
/// hundred KB.
const PHOTO_BYTES: usize = 300 * 1024;

/// Send → shown, in µs: the album's and the text's.
pub struct Figures {
    pub album: Histogram<u64>,
    pub text: Histogram<u64>,
}

/// A JPEG's first bytes (what the server sniffs), then noise.
fn photo(seed: usize) -> Vec<u8> {
    let mut bytes = vec![
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    bytes.extend(
        (0..PHOTO_BYTES - bytes.len())
            .map(|i| u8::try_from((i * 31 + seed * 7) % 251).unwrap_or(0)),
    );
    bytes
}

async fn upload(
    http: &reqwest::Client,
    addr: SocketAddr,
    cookie: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<FileId> {
    let url = crate::media::create(addr, cookie, bytes.len() as u64).await?;
    http.patch(&url)
        .header("Cookie", cookie)
        .header("Tus-Resumable", TUS_VERSION)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(bytes)
        .send()
        .await?
        .error_for_status()?;
    Ok(FileId(url.rsplit('/').next().context("id")?.to_owned()))
}

/// Waits on `stream` for the message whose words are `words`.
async fn arrival(stream: &mut Stream, words: &str) -> anyhow::Result<Content> {
    loop {
        if let ServerFrame::Events { messages, .. } = client::next(stream).await?
            && let Some(m) = messages.into_iter().find(|m| m.text() == words)
        {
            return m.content.context("no content");
        }
    }
}

async fn post(sink: &mut Sink, chat: ChatId, content: Content) -> anyhow::Result<()> {
    let id = ClientMsgId(format!("{:032x}", rand::random::<u128>()));
    client::send(
        sink,
        &ClientFrame::Send {
            chat,
            id,
            content,
            reply_to: None,
        },
    )
    .await?;
    Ok(())
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

pub async fn run() -> anyhow::Result<Figures> {
    let data = std::env::temp_dir().join(format!("courier-album-bench-{}", std::process::id()));
    let mut courier = Server::courier(&data, 0).await?;
    let result = measure(courier.addr).await;
    courier.kill().await?;
    let _ = std::fs::remove_dir_all(&data);
    result
}

async fn measure(addr: SocketAddr) -> anyhow::Result<Figures> {
    let http = reqwest::Client::new();
    let (path, cookie) = target::owner(addr).await?;
    let chat = target::create_chat(addr, &cookie, "group", "album bench").await?;
    let reader = target::guests(&[addr], &chat, 1).await?.remove(0);
    let reader_cookie = reader.cookie.clone().context("no cookie")?;
    let source = client::source_addr(0);
    let (mut sink, mut own) = client::connect(addr, &path, Some(&cookie), source).await?;
    client::hello_recent(&mut sink, &mut own, Vec::new(), Some(0)).await?;
    let (mut reader_sink, mut stream) =
        client::connect(addr, &reader.path, Some(&reader_cookie), source).await?;
    client::hello_recent(&mut reader_sink, &mut stream, Vec::new(), Some(0)).await?;
    // The sender's own echoes are read off so its socket never backs up.
    tokio::spawn(async move { while client::next(&mut own).await.is_ok() {} });
    let mut figures = Figures {
        album: Histogram::new(3)?,
        text: Histogram::new(3)?,
    };
    for round in 0..ROUNDS {
        let words = format!("text {round}");
        let started = Instant::now();
        post(&mut sink, chat.id, Content::text(words.clone())).await?;
        arrival(&mut stream, &words).await?;
        figures.text.record(micros(started))?;

        let caption = format!("album {round}");
        let started = Instant::now();
        let mut items = Vec::with_capacity(PHOTOS);
        for i in 0..PHOTOS {
            let file = upload(&http, addr, &cookie, photo(round * PHOTOS + i)).await?;
            items.push(Attachment {
                file,
                kind: MediaKind::Photo,
                name: format!("{i}.jpg"),
                size: PHOTO_BYTES as u64,
                mime: "image/jpeg".into(),
                width: Some(2560),
                height: Some(1920),
                duration_ms: None,
                thumbhash: None,
                thumb: None,
            });
        }
        let content = Content::Media {
            items,
            caption: caption.clone(),
        };
        post(&mut sink, chat.id, content).await?;
        let Content::Media { items, .. } = arrival(&mut stream, &caption).await? else {
            anyhow::bail!("the album came as another kind");
        };
        for item in &items {
            let photo = http
                .get(format!(
                    "http://{addr}{}",
                    courier_protocol::http::media::media_path(&item.file)
                ))
                .header("Cookie", &reader_cookie)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            anyhow::ensure!(
                photo.len() == PHOTO_BYTES,
                "a photo of {} bytes",
                photo.len()
            );
        }
        figures.album.record(micros(started))?;
    }
    Ok(figures)
}

impl Figures {
    pub fn table(&self) -> String {
        use crate::report::ms;
        format!(
            "| {ROUNDS} sends, send → shown | album of {PHOTOS} × {} KB photos | text (baseline) |\n\
             | --- | --- | --- |\n| p50, ms | {:.1} | {:.1} |\n| p99, ms | {:.1} | {:.1} |\n",
            PHOTO_BYTES / 1024,
            ms(&self.album, 0.5),
            ms(&self.text, 0.5),
            ms(&self.album, 0.99),
            ms(&self.text, 0.99),
        )
    }
}
