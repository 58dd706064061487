//! The devices signed in to one's account, and the password.

use courier_protocol::http::devices::{
    CHANGE_PASSWORD, DEVICES, DeviceName, Devices, END_DEVICE, NewPassword, RENAME_DEVICE,
};

use super::{ApiFail, ask, call};

pub async fn devices() -> Result<Devices, ApiFail> {
    ask(&DEVICES).await
}

pub async fn rename(id: &str, name: String) -> Result<(), ApiFail> {
    call(&RENAME_DEVICE, &[&id], "", &DeviceName { name }).await
}

/// Signs a device out: its sockets close at once.
pub async fn end(id: &str) -> Result<(), ApiFail> {
    call(&END_DEVICE, &[&id], "", &()).await
}

/// Changes the password, which ends every other device.
pub async fn change_password(body: &NewPassword) -> Result<(), ApiFail> {
    call(&CHANGE_PASSWORD, &[], "", body).await
}
