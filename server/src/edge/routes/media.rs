//! Files over HTTP: resumable uploads by the tus 1.0 protocol (core,
//! creation, termination, expiration) at `/api/uploads`, so any tus client
//! works, and downloads by range at `/api/media/{id}`. Not under the API's
//! body limits: an upload's body streams to the blob store, bounded by the
//! length its creation declared.

use std::ops::Range;
use std::time::{Duration, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, IF_RANGE, LOCATION, RANGE,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use courier_protocol::limits::{MAX_UPLOAD_BYTES, UPLOAD_METADATA_MAX};
use courier_protocol::{ErrorCode, FileId};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::edge::extract::Session;
use crate::edge::failure::{ApiFailure, ApiResult};
use crate::edge::router::AppState;
use crate::features::media::{Download, Metadata};
use crate::kernel::db::StoredFile;

const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
const TUS_1: HeaderValue = HeaderValue::from_static("1.0.0");

/// The policy a downloaded file is shown under: nothing in it runs, even
/// if sniffing missed what it is.
const FILE_CSP: &str = "default-src 'none'; img-src 'self'; media-src 'self'; \
                        style-src 'unsafe-inline'; sandbox";

/// Uploads and downloads.
pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/api/uploads", options(capabilities).post(create))
        .route(
            "/api/uploads/{id}",
            options(capabilities)
                .head(offset)
                .patch(append)
                .delete(terminate),
        )
        .layer(middleware::from_fn(require_tus))
        .layer(SetResponseHeaderLayer::overriding(TUS_RESUMABLE, TUS_1))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    uploads.route("/api/media/{id}", get(download))
}

/// Every tus request but `OPTIONS` names the version it speaks; another
/// than this one gets 412 with the one spoken here.
async fn require_tus(request: Request, next: Next) -> Response {
    let speaks = request.headers().get(TUS_RESUMABLE) == Some(&TUS_1);
    if speaks || request.method() == Method::OPTIONS {
        next.run(request).await
    } else {
        (StatusCode::PRECONDITION_FAILED, [(TUS_VERSION, TUS_1)]).into_response()
    }
}

fn number(headers: &HeaderMap, name: &HeaderName) -> ApiResult<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiFailure::from(ErrorCode::BadRequest))
}

/// An `Upload-Expires` value: an HTTP date.
fn http_date(at_ms: i64) -> Option<HeaderValue> {
    let at = UNIX_EPOCH + Duration::from_millis(u64::try_from(at_ms).ok()?);
    HeaderValue::from_str(&httpdate::fmt_http_date(at)).ok()
}

/// The headers that tell a tus client where an upload stands.
fn standing(file: &StoredFile) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(UPLOAD_OFFSET, HeaderValue::from(file.received));
    headers.insert(UPLOAD_LENGTH, HeaderValue::from(file.length));
    if let Some(at) = file.expires_at.and_then(http_date) {
        headers.insert(UPLOAD_EXPIRES, at);
    }
    headers
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs; the name
/// is `filename` (tus-js-client, Uppy) or `name`.
fn metadata(headers: &HeaderMap) -> ApiResult<Metadata> {
    let Some(raw) = headers.get(UPLOAD_METADATA) else {
        return Ok(Metadata::default());
    };
    let bad = || ApiFailure::from(ErrorCode::BadRequest);
    let raw = raw.to_str().map_err(|_| bad())?;
    if raw.len() > UPLOAD_METADATA_MAX {
        return Err(bad());
    }
    let mut meta = Metadata::default();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
        let value = STANDARD.decode(value).map_err(|_| bad())?;
        if key == "filename" || (key == "name" && meta.name.is_empty()) {
            meta.name = String::from_utf8(value).map_err(|_| bad())?;
        }
    }
    Ok(meta)
}

/// # OPTIONS /api/uploads
/// What this tus server speaks: version 1.0.0, the creation, termination
/// and expiration extensions, and the largest upload.
async fn capabilities() -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        [
            (TUS_VERSION, TUS_1),
            (
                TUS_EXTENSION,
                HeaderValue::from_static("creation,termination,expiration"),
            ),
            (TUS_MAX_SIZE, HeaderValue::from(MAX_UPLOAD_BYTES)),
        ],
    )
}

/// # POST /api/uploads
/// Starts an upload of `Upload-Length` bytes, named by `Upload-Metadata`
/// (`filename`): 201 with `Location: /api/uploads/{id}` and
/// `Upload-Expires`. 413 `file_too_large` over 4 GiB, 413
/// `quota_exceeded` past the user's quota, both before any byte is sent.
async fn create(
    State(s): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let length = number(&headers, &UPLOAD_LENGTH)?;
    // The bytes come by PATCH (creation-with-upload is not offered).
    if headers
        .get(CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() != b"0")
    {
        return Err(ErrorCode::BadRequest.into());
    }
    let meta = metadata(&headers)?;
    let file = s.features.media.create(&session.me, length, meta).await?;
    let mut headers = standing(&file);
    let location = format!("/api/uploads/{}", file.id.as_str());
    headers.insert(
        LOCATION,
        HeaderValue::from_str(&location).map_err(|_| ApiFailure::from(ErrorCode::Internal))?,
    );
    Ok((StatusCode::CREATED, headers).into_response())
}

/// # HEAD /api/uploads/{id}
/// Where one's own upload stands: `Upload-Offset` and `Upload-Length`.
/// 404 for another's, an ended or an expired upload.
async fn offset(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Response> {
    let file = s.features.media.upload(&session.me, &FileId(id)).await?;
    Ok((StatusCode::OK, standing(&file)).into_response())
}

/// # PATCH /api/uploads/{id}
/// Appends the body (`Content-Type: application/offset+octet-stream`) at
/// `Upload-Offset`: 204 with the new offset. 409 `offset_mismatch` if the
/// upload is elsewhere; 415 for another content type. A body cut short
/// keeps what arrived: ask HEAD and go on from there.
async fn append(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes)
        != Some(b"application/offset+octet-stream")
    {
        return Ok(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
    }
    let at = number(&headers, &UPLOAD_OFFSET)?;
    let offset = s
        .features
        .media
        .append(&session.me, &FileId(id), at, body.into_data_stream())
        .await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(UPLOAD_OFFSET, HeaderValue::from(offset))],
    )
        .into_response())
}

/// # DELETE /api/uploads/{id}
/// Ends one's own upload; its bytes are removed. 403 `not_allowed` once a
/// message carries the file (delete the message instead).
async fn terminate(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Response> {
    s.features.media.terminate(&session.me, &FileId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The one range a `Range` header asks for in a file of `size` bytes:
/// `None` for the whole file (no header, another unit, several ranges or
/// bad syntax, which RFC 9110 lets a server ignore); `Err` if it starts
/// past the end (416).
fn wanted(header: Option<&str>, size: u64) -> Result<Option<Range<u64>>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let parse = |s: &str| s.trim().parse::<u64>().ok();
    let range = match (first.trim().is_empty(), parse(first), parse(last)) {
        // bytes=-n: the last n bytes.
        (true, _, Some(n)) if n > 0 => size.saturating_sub(n)..size,
        (true, _, _) => return Err(()),
        (false, Some(start), None) if last.trim().is_empty() => start..size,
        (false, Some(start), Some(end)) if end >= start => start..size.min(end + 1),
        _ => return Ok(None),
    };
    if range.start >= size {
        Err(())
    } else {
        Ok(Some(range))
    }
}

/// `attachment` with the name, as plain ASCII and as UTF-8 (RFC 6266).
fn attachment(name: &str) -> String {
    let name = if name.is_empty() { "file" } else { name };
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}

/// The headers every answer about a file carries.
fn file_headers(file: &Download, etag: &HeaderValue) -> ApiResult<HeaderMap> {
    let mut headers = HeaderMap::new();
    let disposition = if file.inline {
        "inline".to_owned()
    } else {
        attachment(&file.name)
    };
    let mime = if file.inline {
        file.mime.as_str()
    } else {
        "application/octet-stream"
    };
    let value =
        |v: &str| HeaderValue::from_str(v).map_err(|_| ApiFailure::from(ErrorCode::Internal));
    headers.insert(CONTENT_TYPE, value(mime)?);
    headers.insert(CONTENT_DISPOSITION, value(&disposition)?);
    headers.insert(ETAG, etag.clone());
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Kept by the reader's browser only, and asked again each time (a
    // 304 by the ETag, since a file never changes): a file deleted for
    // everyone, or a reader removed, is refused at once, not after a
    // cached copy ages out.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(FILE_CSP));
    Ok(headers)
}

/// # GET /api/media/{id}
/// A file, to its uploader and to members of a chat in which a message
/// carries it; 404 to anyone else. One `Range` gets 206 (416 past the
/// end); `ETag` and `If-None-Match` (304), `If-Range`. Inline only for
/// types found in its bytes that pages may show (images, audio, video);
/// anything else downloads as an attachment under its name.
async fn download(
    State(s): State<AppState>,
    session: Session,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let media = &s.features.media;
    let file = media.open(&session.me, &FileId(id)).await?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", file.id.as_str()))
        .map_err(|_| ApiFailure::from(ErrorCode::Internal))?;
    let mut out = file_headers(&file, &etag)?;
    if headers.get(IF_NONE_MATCH) == Some(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, out).into_response());
    }
    let still = headers.get(IF_RANGE).is_none_or(|v| v == etag);
    let range = headers
        .get(RANGE)
        .filter(|_| still)
        .and_then(|v| v.to_str().ok());
    let (status, range) = match wanted(range, file.size) {
        Ok(None) => (StatusCode::OK, 0..file.size),
        Ok(Some(range)) => {
            let content_range = format!("bytes {}-{}/{}", range.start, range.end - 1, file.size);
            out.insert(
                CONTENT_RANGE,
                HeaderValue::from_str(&content_range)
                    .map_err(|_| ApiFailure::from(ErrorCode::Internal))?,
            );
            (StatusCode::PARTIAL_CONTENT, range)
        }
        Err(()) => {
            let content_range = format!("bytes */{}", file.size);
            if let Ok(v) = HeaderValue::from_str(&content_range) {
                out.insert(CONTENT_RANGE, v);
            }
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, out).into_response());
        }
    };
    out.insert(CONTENT_LENGTH, HeaderValue::from(range.end - range.start));
    let body = if range.is_empty() {
        Body::empty()
    } else {
        Body::from_stream(media.bytes(&file, range).await?)
    };
    Ok((status, out, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        let size = 1000;
        assert_eq!(wanted(None, size), Ok(None));
        assert_eq!(wanted(Some("bytes=0-99"), size), Ok(Some(0..100)));
        assert_eq!(wanted(Some("bytes=900-"), size), Ok(Some(900..1000)));
        assert_eq!(wanted(Some("bytes=-10"), size), Ok(Some(990..1000)));
        assert_eq!(wanted(Some("bytes=-5000"), size), Ok(Some(0..1000)));
        assert_eq!(wanted(Some("bytes=500-5000"), size), Ok(Some(500..1000)));
        assert_eq!(wanted(Some("bytes=1000-"), size), Err(()));
        assert_eq!(wanted(Some("bytes=-0"), size), Err(()));
        assert_eq!(wanted(Some("bytes=0-1"), 0), Err(()));
        // Ignored: the whole file.
        assert_eq!(wanted(Some("bytes=0-1,5-6"), size), Ok(None));
        assert_eq!(wanted(Some("items=0-1"), size), Ok(None));
        assert_eq!(wanted(Some("bytes=9-3"), size), Ok(None));
        assert_eq!(wanted(Some("bytes=x-"), size), Ok(None));
    }

    #[test]
    fn attachments_keep_their_names_safely() {
        assert_eq!(
            attachment("report \"final\".pdf"),
            "attachment; filename=\"report _final_.pdf\"; filename*=UTF-8''report%20%22final%22.pdf"
        );
        assert_eq!(
            attachment("фото.jpg"),
            "attachment; filename=\"____.jpg\"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg"
        );
        assert_eq!(
            attachment(""),
            "attachment; filename=\"file\"; filename*=UTF-8''file"
        );
    }
}
