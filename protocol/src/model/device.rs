//! A device: one sign-in of a user, with the session it holds.

use serde::{Deserialize, Serialize};

/// Longest name a user may give a device.
pub const DEVICE_NAME_MAX: usize = 64;

/// One of the user's signed-in devices, as they see it in Preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Stable while the device stays signed in; names it to rename or end it.
    pub id: String,
    /// From its browser and system ("Firefox on Linux") until renamed.
    pub name: String,
    /// When it signed in, and when it last connected (ms since the epoch).
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The device asking.
    #[serde(default)]
    pub current: bool,
}

/// A name for a device from its `User-Agent`: the browser and the system,
/// the way Telegram lists sessions ("Chrome on Android").
pub fn name_from_agent(agent: &str) -> String {
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(mark, _)| agent.contains(mark))
    .map_or("Browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(mark, _)| agent.contains(mark))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_browser_and_system() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(name_from_agent(firefox), "Firefox on Linux");
        let chrome = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0 Mobile Safari/537.36";
        assert_eq!(name_from_agent(chrome), "Chrome on Android");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(name_from_agent(safari), "Safari on iOS");
        assert_eq!(name_from_agent(""), "Browser");
    }
}
