//! Upper and lower case by the browser's own Unicode tables
//! (`String.prototype.toLowerCase`, `toUpperCase`), so the app does not
//! carry Rust's copy of them (about 25 KB). Off the web (host tests) the
//! standard library's, which give the same results.

#[cfg(target_arch = "wasm32")]
pub fn lower(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(target_arch = "wasm32")]
pub fn upper(text: &str) -> String {
    js_sys::JsString::from(text).to_upper_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn lower(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn upper(text: &str) -> String {
    text.to_uppercase()
}

/// `text`'s first letter in upper case (an avatar's initial).
pub fn initial(text: &str) -> Option<String> {
    text.chars()
        .next()
        .map(|c| upper(c.encode_utf8(&mut [0; 4])))
}

/// `text` with its first letter changed by `change`.
pub fn first_letter(text: &str, change: fn(&str) -> String) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        let mut changed = change(c.encode_utf8(&mut [0; 4]));
        changed.push_str(chars.as_str());
        changed
    })
}
