//! Files over real HTTP: tus uploads (offsets, conflicts, termination,
//! expiry, limits, a body cut short, a restart), downloads by range,
//! sniffing and the inline allow-list, who may read a file, and files
//! removed from the blob store when no message carries them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::tus::*;
use common::*;
use courier_protocol::http::{ChatSettings, UPDATE_CHAT};
use courier_protocol::{
    Act, Attachment, ChatId, ClientFrame, ClientMsgId, Content, ErrorCode, FileId, MediaKind,
    ServerFrame,
};

fn photo(file: &FileId) -> Content {
    Content::Media {
        items: vec![Attachment {
            file: file.clone(),
            kind: MediaKind::Photo,
            name: "cat.png".into(),
            size: 1,
            mime: "image/svg+xml".into(),
            width: Some(64),
            height: Some(48),
            duration_ms: None,
            thumbhash: None,
            thumb: None,
        }],
        caption: "our cat".into(),
    }
}

fn send(chat: ChatId, id: &str, content: Content) -> ClientFrame {
    ClientFrame::Send {
        chat,
        id: ClientMsgId(id.into()),
        content,
        reply_to: None,
    }
}

/// Every blob under the server's blob directory.
fn blobs(dir: &Path) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&dir.join("blobs"), &mut found);
    found
}

async fn eventually(mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "not in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_tus_upload_goes_by_offsets_and_refuses_a_wrong_one() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let up = Uploads { person: &alice };

    let options = http()
        .request(reqwest::Method::OPTIONS, up.url("/api/uploads"))
        .send()
        .await
        .unwrap();
    assert_eq!(options.status(), 204);
    assert_eq!(options.headers()["tus-version"], "1.0.0");
    assert_eq!(
        options.headers()["tus-extension"],
        "creation,termination,expiration"
    );
    assert_eq!(options.headers()["tus-max-size"], "4294967296");

    let bytes = png(100_000);
    let at = up.start(bytes.len() as u64, "cat.png").await;
    assert!(at.starts_with("/api/uploads/"), "{at}");
    assert_eq!(up.offset(&at).await, Ok(0));
    let first = up.patch(&at, 0, bytes[..40_000].to_vec()).await;
    assert_eq!(first.status(), 204);
    assert_eq!(first.headers()["upload-offset"], "40000");
    assert_eq!(up.offset(&at).await, Ok(40_000));

    let wrong = up.patch(&at, 10, bytes[10..].to_vec()).await;
    assert_eq!(wrong.status(), 409);
    assert_eq!(
        read::<()>(wrong).await,
        Err((409, ErrorCode::OffsetMismatch))
    );
    assert_eq!(up.offset(&at).await, Ok(40_000), "nothing of it kept");

    let rest = up.patch(&at, 40_000, bytes[40_000..].to_vec()).await;
    assert_eq!(rest.headers()["upload-offset"], "100000");
    let file = file_of(&at);
    let whole = get(&alice, &file, &[]).await;
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["content-type"], "image/png");
    assert_eq!(whole.headers()["content-disposition"], "inline");
    assert_eq!(whole.bytes().await.unwrap().to_vec(), bytes);

    let bob = sign_up(&server.base, "bob").await;
    assert_eq!(get(&bob, &file, &[]).await.status(), 404, "a stranger");
    assert_eq!(Uploads { person: &bob }.offset(&at).await, Err(404));
}

#[tokio::test]
async fn uploads_are_bounded_before_the_first_byte() {
    let server = start_with(|c| c.upload_quota = 1_000_000).await;
    let alice = sign_up(&server.base, "alice").await;
    let up = Uploads { person: &alice };
    let too_large = up.create(4 * 1024 * 1024 * 1024 + 1, "big.iso").await;
    assert_eq!(
        read::<()>(too_large).await,
        Err((413, ErrorCode::FileTooLarge))
    );
    up.start(600_000, "a").await;
    let over = up.create(600_000, "b").await;
    assert_eq!(read::<()>(over).await, Err((413, ErrorCode::QuotaExceeded)));

    let no_version = http()
        .post(up.url("/api/uploads"))
        .header("Cookie", &alice.cookie)
        .header("Upload-Length", "10")
        .send()
        .await
        .unwrap();
    assert_eq!(no_version.status(), 412);
    assert_eq!(no_version.headers()["tus-version"], "1.0.0");
    let no_length = http()
        .post(up.url("/api/uploads"))
        .header("Cookie", &alice.cookie)
        .header(TUS.0, TUS.1)
        .header("Upload-Defer-Length", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        read::<()>(no_length).await,
        Err((400, ErrorCode::BadRequest))
    );
    let at = up.start(10, "c").await;
    let wrong_type = http()
        .patch(up.url(&at))
        .header("Cookie", &alice.cookie)
        .header(TUS.0, TUS.1)
        .header("Content-Type", "text/plain")
        .header("Upload-Offset", "0")
        .body("0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let too_long = up.patch(&at, 0, "0123456789ABC").await;
    assert_eq!(
        read::<()>(too_long).await,
        Err((400, ErrorCode::BadRequest))
    );
    assert_eq!(up.offset(&at).await, Ok(10), "what fit is kept");
    let anonymous = http()
        .post(up.url("/api/uploads"))
        .header(TUS.0, TUS.1)
        .header("Upload-Length", "10")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn an_upload_cut_short_keeps_what_arrived_and_resumes_after_a_restart() {
    // Both servers keep their data here, so the second finds the first's.
    let data = tempfile::tempdir().unwrap();
    let kept = data.path().to_path_buf();
    let server = start_in(tempfile::tempdir().unwrap(), |c| c.data = kept.clone()).await;
    let alice = sign_up(&server.base, "alice").await;
    let up = Uploads { person: &alice };
    let bytes = png(300_000);
    let at = up.start(bytes.len() as u64, "long.png").await;

    // The connection fails after 120,000 bytes.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(bytes[..60_000].to_vec()),
        Ok(bytes[60_000..120_000].to_vec()),
        Err(std::io::Error::other("cable pulled")),
    ];
    let body = futures_util::StreamExt::then(futures_util::stream::iter(chunks), |chunk| async {
        if chunk.is_err() {
            // Let what was sent arrive before the connection breaks.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        chunk
    });
    let cut = http()
        .patch(up.url(&at))
        .header("Cookie", &alice.cookie)
        .header(TUS.0, TUS.1)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await;
    assert!(cut.is_err(), "the request failed");
    let deadline = tokio::time::Instant::now() + WAIT;
    while up.offset(&at).await != Ok(120_000) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "what arrived is kept"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The server stops and starts again on the same data.
    server.shutdown.cancel();
    drop(server);
    let server = start_in(tempfile::tempdir().unwrap(), |c| c.data = kept.clone()).await;
    let alice = Person {
        base: server.base.clone(),
        ..alice
    };
    let up = Uploads { person: &alice };
    assert_eq!(up.offset(&at).await, Ok(120_000));
    let rest = up.patch(&at, 120_000, bytes[120_000..].to_vec()).await;
    assert_eq!(rest.status(), 204);
    let whole = get(&alice, &file_of(&at), &[]).await;
    assert_eq!(whole.bytes().await.unwrap().to_vec(), bytes);
}

#[tokio::test]
async fn downloads_answer_ranges_and_revalidate() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bytes = png(50_000);
    let file = Uploads { person: &alice }.upload(&bytes, "r.png").await;

    let part = get(&alice, &file, &[("Range", "bytes=100-199")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 100-199/50000");
    assert_eq!(part.headers()["content-length"], "100");
    assert_eq!(
        part.bytes().await.unwrap().to_vec(),
        bytes[100..200].to_vec()
    );
    let tail = get(&alice, &file, &[("Range", "bytes=-10")]).await;
    assert_eq!(
        tail.bytes().await.unwrap().to_vec(),
        bytes[49_990..].to_vec()
    );
    let past = get(&alice, &file, &[("Range", "bytes=50000-")]).await;
    assert_eq!(past.status(), 416);
    assert_eq!(past.headers()["content-range"], "bytes */50000");

    let whole = get(&alice, &file, &[("Accept-Encoding", "br, gzip")]).await;
    let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.headers()["cache-control"], "private, no-cache");
    assert_eq!(whole.headers()["x-content-type-options"], "nosniff");
    assert!(
        whole.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert!(
        !whole.headers().contains_key("content-encoding"),
        "ranges stay true"
    );
    let again = get(&alice, &file, &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status(), 304);
    let stale = get(
        &alice,
        &file,
        &[("If-Range", "\"other\""), ("Range", "bytes=0-9")],
    )
    .await;
    assert_eq!(
        stale.status(),
        200,
        "a changed validator gets the whole file"
    );
}

#[tokio::test]
async fn a_file_is_served_by_what_its_bytes_are_not_by_its_claim() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let direct = alice.direct("bob").await.id;
    let html = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>";
    let file = Uploads { person: &alice }.upload(html, "cat.png").await;
    let served = get(&alice, &file, &[]).await;
    assert_eq!(served.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        served.headers()["content-disposition"],
        "attachment; filename=\"cat.png\"; filename*=UTF-8''cat.png"
    );

    let mut a = alice.connect(&[]).await;
    a.send(&send(direct, "p1", photo(&file))).await;
    assert_eq!(
        a.error().await,
        (ErrorCode::BadFile, Some(ClientMsgId("p1".into())))
    );
    let as_file = Content::Media {
        items: vec![Attachment {
            kind: MediaKind::File,
            ..match photo(&file) {
                Content::Media { items, .. } => items[0].clone(),
                _ => unreachable!(),
            }
        }],
        caption: String::new(),
    };
    a.send(&send(direct, "f1", as_file)).await;
    let sent = a.sent("f1").await;
    let Some(Content::Media { items, .. }) = sent.content else {
        panic!("a media message");
    };
    assert_eq!(
        items[0].mime, "application/octet-stream",
        "the server's type"
    );
    assert_eq!(items[0].size, html.len() as u64, "the server's size");
    assert_eq!(
        get(&bob, &file, &[]).await.status(),
        200,
        "bob is in the chat"
    );

    // Someone else's file id cannot be sent.
    let mut b = bob.connect(&[]).await;
    let mallory = sign_up(&server.base, "mallory").await;
    let theirs = Uploads { person: &mallory }
        .upload(&png(1000), "m.png")
        .await;
    b.send(&send(direct, "b1", photo(&theirs))).await;
    assert_eq!(b.error().await.0, ErrorCode::BadFile);
}

#[tokio::test]
async fn members_read_a_chats_files_and_others_get_404() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let group = alice.group("friends").await;
    bob.join(&group).await;
    let file = Uploads { person: &alice }.upload(&png(5000), "g.png").await;
    assert_eq!(get(&bob, &file, &[]).await.status(), 404, "not sent yet");

    let mut a = alice.connect(&[]).await;
    a.send(&send(group.id, "g1", photo(&file))).await;
    let sent = a.sent("g1").await;
    assert_eq!(sent.text(), "our cat", "the caption");
    let Some(Content::Media { items, .. }) = &sent.content else {
        panic!("a photo");
    };
    assert_eq!((items[0].mime.as_str(), items[0].size), ("image/png", 5000));
    assert_eq!(get(&bob, &file, &[]).await.status(), 200);
    assert_eq!(get(&mallory, &file, &[]).await.status(), 404);

    // Forwarded to a chat with mallory: she reads the same file.
    let direct = bob.direct("mallory").await.id;
    let mut b = bob.connect(&[]).await;
    b.send(&ClientFrame::Forward {
        chat: direct,
        id: ClientMsgId("fw".into()),
        from: group.id,
        seq: sent.seq,
    })
    .await;
    let copy = b.sent("fw").await;
    assert_eq!(copy.content, sent.content, "the same file");
    assert_eq!(get(&mallory, &file, &[]).await.status(), 200);
}

#[tokio::test]
async fn a_file_goes_from_the_store_when_no_message_carries_it() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let direct = alice.direct("bob").await.id;
    let up = Uploads { person: &alice };
    let file = up.upload(&png(20_000), "x.png").await;
    let mut a = alice.connect(&[]).await;
    a.send(&send(direct, "m1", photo(&file))).await;
    let first = a.sent("m1").await;
    a.send(&send(direct, "m2", photo(&file))).await;
    let second = a.sent("m2").await;
    assert_eq!(blobs(server.dir.path()).len(), 1);

    for (id, message) in [("d1", &first), ("d2", &second)] {
        a.send(&ClientFrame::Act {
            chat: direct,
            id: ClientMsgId(id.into()),
            act: Act::Delete {
                target: message.seq,
            },
        })
        .await;
        a.sent(id).await;
        if id == "d1" {
            // Still carried by the second message.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            assert_eq!(get(&bob, &file, &[]).await.status(), 200);
            assert_eq!(blobs(server.dir.path()).len(), 1);
        }
    }
    eventually(|| blobs(server.dir.path()).is_empty()).await;
    assert_eq!(get(&alice, &file, &[]).await.status(), 404);
}

#[tokio::test]
async fn a_thumbnail_must_be_a_picture_and_goes_with_its_photo() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let mallory = sign_up(&server.base, "mallory").await;
    let direct = alice.direct("bob").await.id;
    let up = Uploads { person: &alice };
    let file = up.upload(&png(20_000), "big.png").await;
    let thumb = up.upload(&png(2_000), "big.png.thumb.jpg").await;
    let words = up.upload(b"plain words, no picture", "notes.txt").await;
    let with_thumb = |thumb: &FileId| {
        let mut content = photo(&file);
        if let Content::Media { items, .. } = &mut content {
            items[0].thumb = Some(thumb.clone());
        }
        content
    };
    let mut a = alice.connect(&[]).await;
    a.send(&send(direct, "t0", with_thumb(&words))).await;
    assert_eq!(
        a.error().await,
        (ErrorCode::BadFile, Some(ClientMsgId("t0".into())))
    );
    a.send(&send(direct, "t1", with_thumb(&thumb))).await;
    let sent = a.sent("t1").await;
    assert_eq!(
        sent.content,
        Some(with_thumb(&thumb)).map(|c| match c {
            Content::Media { mut items, caption } => {
                items[0].mime = "image/png".into();
                items[0].size = 20_000;
                Content::Media { items, caption }
            }
            other => other,
        })
    );
    assert_eq!(
        get(&bob, &thumb, &[]).await.status(),
        200,
        "read as its photo is"
    );
    assert_eq!(get(&mallory, &thumb, &[]).await.status(), 404);

    a.send(&ClientFrame::Act {
        chat: direct,
        id: ClientMsgId("d1".into()),
        act: Act::Delete { target: sent.seq },
    })
    .await;
    a.sent("d1").await;
    // The refused one was never carried: ended by its uploader.
    let ended = reqwest::Client::new()
        .delete(up.url(&format!("/api/uploads/{}", words.as_str())))
        .header("Cookie", &alice.cookie)
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    eventually(|| blobs(server.dir.path()).is_empty()).await;
    assert_eq!(
        get(&alice, &thumb, &[]).await.status(),
        404,
        "gone with its photo"
    );
}

#[tokio::test]
async fn a_disappearing_messages_file_goes_when_it_expires() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let bob = sign_up(&server.base, "bob").await;
    let direct = alice.direct("bob").await.id;
    let timer = ChatSettings {
        ttl_s: Some(60),
        ..ChatSettings::default()
    };
    alice
        .call(&UPDATE_CHAT, &[&direct.0], &timer)
        .await
        .unwrap();
    let file = Uploads { person: &alice }
        .upload(&png(10_000), "t.png")
        .await;
    let mut a = alice.connect(&[]).await;
    a.send(&send(direct, "t1", photo(&file))).await;
    a.sent("t1").await;
    assert_eq!(get(&bob, &file, &[]).await.status(), 200);
    server.clock.advance(Duration::from_secs(61));
    eventually(|| blobs(server.dir.path()).is_empty()).await;
    assert_eq!(get(&bob, &file, &[]).await.status(), 404);
    let frames = a.drain(Duration::from_millis(200)).await;
    assert!(
        frames
            .iter()
            .any(|f| matches!(f, ServerFrame::Events { .. }))
    );
}

#[tokio::test]
async fn ended_and_abandoned_uploads_are_removed() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let up = Uploads { person: &alice };
    let ended = up.start(1000, "e").await;
    assert_eq!(up.patch(&ended, 0, vec![1u8; 500]).await.status(), 204);
    let abandoned = up.start(1000, "a").await;
    assert_eq!(up.patch(&abandoned, 0, vec![2u8; 500]).await.status(), 204);
    assert_eq!(blobs(server.dir.path()).len(), 2);

    let end = http()
        .delete(up.url(&ended))
        .header("Cookie", &alice.cookie)
        .header(TUS.0, TUS.1)
        .send()
        .await
        .unwrap();
    assert_eq!(end.status(), 204);
    assert_eq!(up.offset(&ended).await, Err(404));
    eventually(|| blobs(server.dir.path()).len() == 1).await;

    server.clock.advance(Duration::from_secs(24 * 3600 + 1));
    assert_eq!(up.offset(&abandoned).await, Err(404), "expired");
    eventually(|| blobs(server.dir.path()).is_empty()).await;
}
