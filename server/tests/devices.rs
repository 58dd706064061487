//! Devices: each sign-in is one, named from its browser; a user lists,
//! renames and ends them, a new password ends the others, and a guest who
//! makes an account gets a new session.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use courier_protocol::ErrorCode;
use courier_protocol::http::{
    CHANGE_PASSWORD, CLAIM, Claim, DEVICES, DeviceName, Devices, END_DEVICE, GUEST, GuestJoin,
    Joined, ME, Me, NewPassword, RENAME_DEVICE, SIGN_IN, SignIn,
};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) \
                     Chrome/131.0 Mobile Safari/537.36";

/// Signs `person` in again from a browser saying `agent`: a second device.
async fn sign_in_from(person: &Person, agent: &str, password: &str) -> Result<Person, u16> {
    let body = SignIn {
        username: person.me.username.clone().unwrap(),
        password: password.into(),
    };
    let response = request_to(&person.base, &SIGN_IN, &[], "", &body)
        .header("user-agent", agent)
        .send()
        .await
        .unwrap();
    if response.status() != 200 {
        return Err(response.status().as_u16());
    }
    let cookie = cookie_of(&response);
    let me = response.json::<Me>().await.unwrap().me;
    Ok(Person {
        base: person.base.clone(),
        cookie,
        me,
    })
}

#[tokio::test]
async fn devices_are_listed_renamed_and_ended_everywhere() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let laptop = sign_in_from(&alice, FIREFOX, "correct horse")
        .await
        .unwrap();
    let phone = sign_in_from(&alice, PHONE, "correct horse").await.unwrap();
    let mut phone_socket = phone.connect(&[]).await;

    let Devices { devices } = laptop.call(&DEVICES, &[], &()).await.unwrap();
    assert_eq!(devices.len(), 3, "{devices:?}");
    let names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
    assert!(names.contains(&"Firefox on Linux"), "{names:?}");
    assert!(names.contains(&"Chrome on Android"), "{names:?}");
    let current: Vec<&str> = devices
        .iter()
        .filter(|d| d.current)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(current, ["Firefox on Linux"]);
    let on_phone = devices
        .iter()
        .find(|d| d.name == "Chrome on Android")
        .unwrap()
        .id
        .clone();

    // Renaming: only a real name, only one's own device.
    laptop
        .call(
            &RENAME_DEVICE,
            &[&on_phone],
            &DeviceName {
                name: "Work phone".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        laptop
            .call(
                &RENAME_DEVICE,
                &[&on_phone],
                &DeviceName { name: " ".into() }
            )
            .await,
        Err((400, ErrorCode::BadName))
    );
    let bob = sign_up(&server.base, "bob").await;
    assert_eq!(
        bob.call(
            &RENAME_DEVICE,
            &[&on_phone],
            &DeviceName {
                name: "mine".into()
            }
        )
        .await,
        Err((404, ErrorCode::NotFound))
    );
    assert_eq!(
        bob.call(&END_DEVICE, &[&on_phone], &()).await,
        Err((404, ErrorCode::NotFound))
    );
    let Devices { devices } = phone.call(&DEVICES, &[], &()).await.unwrap();
    assert!(devices.iter().any(|d| d.name == "Work phone" && d.current));

    // Ending it signs it out: its socket closes, its cookie is dead.
    laptop.call(&END_DEVICE, &[&on_phone], &()).await.unwrap();
    assert!(phone_socket.closed_within(Duration::from_secs(5)).await);
    assert_eq!(
        phone.call(&ME, &[], &()).await.err(),
        Some((401, ErrorCode::Unauthorized))
    );
    let Devices { devices } = laptop.call(&DEVICES, &[], &()).await.unwrap();
    assert_eq!(devices.len(), 2);
}

#[tokio::test]
async fn a_new_password_ends_every_other_device() {
    let server = start_server().await;
    let alice = sign_up(&server.base, "alice").await;
    let other = sign_in_from(&alice, PHONE, "correct horse").await.unwrap();
    let mut other_socket = other.connect(&[]).await;
    let mut own_socket = alice.connect(&[]).await;

    let wrong = NewPassword {
        old: "not it".into(),
        new: "battery staple".into(),
    };
    assert_eq!(
        alice.call(&CHANGE_PASSWORD, &[], &wrong).await,
        Err((401, ErrorCode::BadCredentials))
    );
    let short = NewPassword {
        old: "correct horse".into(),
        new: "short".into(),
    };
    assert_eq!(
        alice.call(&CHANGE_PASSWORD, &[], &short).await,
        Err((400, ErrorCode::BadPassword))
    );
    assert!(!other_socket.closed_within(Duration::from_millis(300)).await);

    let right = NewPassword {
        old: "correct horse".into(),
        new: "battery staple".into(),
    };
    alice.call(&CHANGE_PASSWORD, &[], &right).await.unwrap();
    assert!(other_socket.closed_within(Duration::from_secs(5)).await);
    assert_eq!(
        other.call(&ME, &[], &()).await.err(),
        Some((401, ErrorCode::Unauthorized))
    );
    // The device that changed it stays signed in.
    assert_eq!(alice.call(&ME, &[], &()).await.unwrap().me.id, alice.me.id);
    own_socket.ping().await;
    assert_eq!(
        sign_in_from(&alice, FIREFOX, "correct horse").await.err(),
        Some(401)
    );
    assert!(
        sign_in_from(&alice, FIREFOX, "battery staple")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_guest_who_makes_an_account_gets_a_new_session() {
    let server = start_server().await;
    let owner = sign_up(&server.base, "owner").await;
    let group = owner.group("Open").await;
    let body = GuestJoin {
        invite: group.invite.clone(),
        name: "Gus".into(),
    };
    let response = request_to(&server.base, &GUEST, &[], "", &body)
        .header("user-agent", FIREFOX)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = cookie_of(&response);
    let me = response.json::<Joined>().await.unwrap().me;
    let guest = Person {
        base: server.base.clone(),
        cookie,
        me,
    };
    let mut guest_socket = guest.connect(&[]).await;
    let body = Claim {
        username: "gus".into(),
        password: "correct horse".into(),
    };
    let response = request_to(&server.base, &CLAIM, &[], "", &body)
        .header("cookie", &guest.cookie)
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let fresh = cookie_of(&response);
    assert_ne!(fresh, guest.cookie);
    let me = response.json::<Me>().await.unwrap().me;
    assert_eq!(me.id, guest.me.id, "the same person, now an account");
    assert!(guest_socket.closed_within(Duration::from_secs(5)).await);
    assert_eq!(
        guest.call(&ME, &[], &()).await.err(),
        Some((401, ErrorCode::Unauthorized))
    );
    let account = Person {
        base: server.base.clone(),
        cookie: fresh,
        me,
    };
    let Devices { devices } = account.call(&DEVICES, &[], &()).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(
        devices[0].name, "Firefox on Linux",
        "the device keeps its name"
    );
}
