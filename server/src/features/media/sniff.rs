//! A file's type from its first bytes, never from the client's claim: a
//! file that claims to be a photo but holds HTML is served as a download.

use courier_protocol::model::media::is_inline;

/// Bytes enough to tell any type `infer` knows.
pub const HEAD_BYTES: u64 = 4096;

/// What unknown bytes are served as.
pub const OPAQUE: &str = "application/octet-stream";

/// The type of a file that starts with `head`: one of the types shown
/// inline (`INLINE_TYPES`), or [`OPAQUE`].
pub fn sniff(head: &[u8]) -> &'static str {
    let found = infer::get(head).map_or(OPAQUE, |t| t.mime_type());
    // `infer`'s names for two kinds browsers know by others.
    let found = match found {
        "audio/opus" => "audio/ogg",
        "audio/m4a" => "audio/mp4",
        other => other,
    };
    if is_inline(found) { found } else { OPAQUE }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(start: &[u8]) -> Vec<u8> {
        let mut bytes = start.to_vec();
        bytes.resize(512, 0);
        bytes
    }

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(&padded(b"\xFF\xD8\xFF\xE0\0\x10JFIF")), "image/jpeg");
        assert_eq!(sniff(&padded(b"\x89PNG\r\n\x1a\n")), "image/png");
        assert_eq!(sniff(&padded(b"GIF89a")), "image/gif");
        assert_eq!(sniff(&padded(b"OggS\0\x02")), "audio/ogg");
        assert_eq!(sniff(&padded(b"\0\0\0\x18ftypmp42")), "video/mp4");
    }

    #[test]
    fn script_and_unknown_bytes_are_opaque() {
        for bytes in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            b"%PDF-1.7",
            b"just some text",
            b"",
        ] {
            assert_eq!(
                sniff(&padded(bytes)),
                OPAQUE,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
