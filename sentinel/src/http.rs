//! What both front ends answer the same way.

/// A content-addressed body: it never changes, so it may be cached forever.
pub fn immutable<B: axum::response::IntoResponse>(
    content_type: &'static str,
    hash: &str,
    body: B,
) -> axum::response::Response {
    use axum::http::header;
    let headers = [
        (header::CONTENT_TYPE, content_type.to_string()),
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_string(),
        ),
        (header::ETAG, format!("\"{hash}\"")),
    ];
    axum::response::IntoResponse::into_response((headers, body))
}
