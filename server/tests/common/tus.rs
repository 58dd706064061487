//! tus uploads and downloads over real HTTP, as a client does them.

use courier_protocol::FileId;

use super::{Person, http};

pub const TUS: (&str, &str) = ("Tus-Resumable", "1.0.0");

/// A PNG's signature and some bytes: sniffed as `image/png`.
pub fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend((0..size - bytes.len()).map(|i| u8::try_from(i % 251).unwrap()));
    bytes
}

pub struct Uploads<'a> {
    pub person: &'a Person,
}

impl Uploads<'_> {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.person.base)
    }

    pub async fn create(&self, length: u64, name: &str) -> reqwest::Response {
        use base64::Engine;
        let name = base64::engine::general_purpose::STANDARD.encode(name);
        http()
            .post(self.url("/api/uploads"))
            .header("Cookie", &self.person.cookie)
            .header(TUS.0, TUS.1)
            .header("Upload-Length", length.to_string())
            .header(
                "Upload-Metadata",
                format!("filename {name},filetype aW1hZ2UvcG5n"),
            )
            .send()
            .await
            .unwrap()
    }

    /// A new upload's path, `/api/uploads/{id}`.
    pub async fn start(&self, length: u64, name: &str) -> String {
        let created = self.create(length, name).await;
        assert_eq!(created.status(), 201);
        assert!(created.headers().contains_key("upload-expires"));
        created.headers()["location"].to_str().unwrap().to_owned()
    }

    pub async fn patch(
        &self,
        at: &str,
        offset: u64,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        http()
            .patch(self.url(at))
            .header("Cookie", &self.person.cookie)
            .header(TUS.0, TUS.1)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", offset.to_string())
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The upload's offset, or the status HEAD answered.
    pub async fn offset(&self, at: &str) -> Result<u64, u16> {
        let head = http()
            .head(self.url(at))
            .header("Cookie", &self.person.cookie)
            .header(TUS.0, TUS.1)
            .send()
            .await
            .unwrap();
        if head.status() != 200 {
            return Err(head.status().as_u16());
        }
        assert_eq!(head.headers()["tus-resumable"], "1.0.0");
        assert_eq!(head.headers()["cache-control"], "no-store");
        Ok(head.headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap())
    }

    /// Uploads `bytes` whole: the file's id.
    pub async fn upload(&self, bytes: &[u8], name: &str) -> FileId {
        let at = self.start(bytes.len() as u64, name).await;
        let done = self.patch(&at, 0, bytes.to_vec()).await;
        assert_eq!(done.status(), 204);
        file_of(&at)
    }
}

pub fn file_of(location: &str) -> FileId {
    FileId(location.rsplit('/').next().unwrap().to_owned())
}

pub async fn get(person: &Person, file: &FileId, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = http()
        .get(format!("{}/api/media/{}", person.base, file.as_str()))
        .header("Cookie", &person.cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}
