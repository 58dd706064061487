//! Standard base64 by the browser's `btoa` and `atob`, which take and give
//! one character per byte.

pub fn encode(bytes: &[u8]) -> String {
    let chars: String = bytes.iter().copied().map(char::from).collect();
    web_sys::window()
        .and_then(|w| w.btoa(&chars).ok())
        .unwrap_or_default()
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    let chars = web_sys::window()?.atob(text).ok()?;
    chars
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}
