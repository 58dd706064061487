//! The SFU against real WebRTC peers (str0m participants over loopback
//! UDP): what each participant gets is what the others send, by room, by
//! the size it shows, and only while they are in the call.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use courier_sfu::participant::{Camera, LAYER_BYTES, Participant};
use courier_sfu::wire::{Size, Tile};
use courier_sfu::{Sfu, SfuError, SfuEvent, Source};

fn start() -> (Sfu, tokio::sync::mpsc::UnboundedReceiver<SfuEvent>) {
    Sfu::start("127.0.0.1:0".parse().unwrap(), None).unwrap()
}

async fn join(sfu: &Sfu, room: &str, peer: &str, camera: Camera, loud: bool) -> Participant {
    let (mut participant, offer) = Participant::new(camera, loud).unwrap();
    let answer = sfu.join(room, peer, &offer).await.unwrap();
    participant.answered(&answer).unwrap();
    participant
}

/// Runs the participants until `done` holds of them, or fails after `limit`.
fn run_until(
    people: &mut [&mut Participant],
    limit: Duration,
    what: &str,
    done: impl Fn(&[&mut Participant]) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !done(people) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        for p in people.iter_mut() {
            p.turn().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn run_for(people: &mut [&mut Participant], time: Duration) {
    let end = Instant::now() + time;
    while Instant::now() < end {
        for p in people.iter_mut() {
            p.turn().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

const LIMIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn each_gets_the_others_voices_and_cameras_and_who_speaks() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Single, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Single, false).await;
    let mut cat = join(&sfu, "r1", "cat", Camera::Off, false).await;
    run_until(
        &mut [&mut ann, &mut bob, &mut cat],
        LIMIT,
        "everyone's media",
        |p| {
            let (ann, bob, cat) = (&p[0], &p[1], &p[2]);
            ann.got("bob", Source::Microphone) > 10
                && ann.got("cat", Source::Microphone) > 10
                && ann.got("bob", Source::Camera) > 10
                && bob.got("ann", Source::Camera) > 10
                && bob.got("cat", Source::Microphone) > 10
                && cat.got("ann", Source::Camera) > 10
                && cat.got("bob", Source::Camera) > 10
                && cat.got("ann", Source::Microphone) > 10
        },
    );
    // Nobody gets their own media back, and nobody gets a camera cat lacks.
    for (p, me) in [(&ann, "ann"), (&bob, "bob"), (&cat, "cat")] {
        assert_eq!(p.got(me, Source::Microphone), 0, "{me} heard themself");
        assert_eq!(p.got(me, Source::Camera), 0, "{me} saw themself");
        assert_eq!(p.got("cat", Source::Camera), 0);
    }
    run_until(
        &mut [&mut ann, &mut bob, &mut cat],
        LIMIT,
        "who speaks",
        |p| p[2].speaking == ["ann"],
    );
}

#[tokio::test]
async fn rooms_are_apart() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Single, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Off, false).await;
    let mut eve = join(&sfu, "r2", "eve", Camera::Single, true).await;
    run_until(
        &mut [&mut ann, &mut bob, &mut eve],
        LIMIT,
        "the room's media",
        |p| p[1].got("ann", Source::Camera) > 30,
    );
    assert!(
        eve.frames.is_empty(),
        "another room's media: {:?}",
        eve.frames
    );
    assert_eq!(bob.got("eve", Source::Camera), 0);
    assert_eq!(bob.got("eve", Source::Microphone), 0);
}

#[tokio::test]
async fn a_simulcast_camera_comes_in_the_layer_of_each_receivers_tile() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Simulcast, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Off, false).await;
    let mut cat = join(&sfu, "r1", "cat", Camera::Off, false).await;
    let [small, _, large] = LAYER_BYTES;
    // A tile not yet placed is small.
    run_until(
        &mut [&mut ann, &mut bob, &mut cat],
        LIMIT,
        "ann's smallest layer",
        |p| {
            p[1].last_frame_bytes("ann", Source::Camera) == Some(small)
                && p[2].last_frame_bytes("ann", Source::Camera) == Some(small)
        },
    );
    let large_tile = vec![Tile {
        peer: "ann".into(),
        source: Source::Camera,
        size: Size::Large,
    }];
    assert!(bob.view(large_tile));
    run_until(
        &mut [&mut ann, &mut bob, &mut cat],
        LIMIT,
        "ann's largest layer for bob",
        |p| p[1].last_frame_bytes("ann", Source::Camera) == Some(large),
    );
    let shown_large = bob.got("ann", Source::Camera);
    run_for(
        &mut [&mut ann, &mut bob, &mut cat],
        Duration::from_millis(500),
    );
    assert!(bob.got("ann", Source::Camera) > shown_large + 5);
    assert_eq!(bob.last_frame_bytes("ann", Source::Camera), Some(large));
    assert_eq!(cat.last_frame_bytes("ann", Source::Camera), Some(small));
    // Each frame tells how long it took, on loopback well under a second.
    let delays = cat.take_delays();
    assert!(!delays.is_empty());
    assert!(delays.iter().all(|d| *d < Duration::from_secs(1)));
}

#[tokio::test]
async fn a_hidden_tile_gets_no_video_until_shown() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Single, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Off, false).await;
    run_until(&mut [&mut ann, &mut bob], LIMIT, "ann's camera", |p| {
        p[1].got("ann", Source::Camera) > 5
    });
    let hide = vec![Tile {
        peer: "ann".into(),
        source: Source::Camera,
        size: Size::Hidden,
    }];
    assert!(bob.view(hide));
    run_for(&mut [&mut ann, &mut bob], Duration::from_millis(500));
    let hidden_at = bob.got("ann", Source::Camera);
    let heard_at = bob.got("ann", Source::Microphone);
    run_for(&mut [&mut ann, &mut bob], Duration::from_secs(1));
    assert_eq!(
        bob.got("ann", Source::Camera),
        hidden_at,
        "a hidden video came"
    );
    assert!(
        bob.got("ann", Source::Microphone) > heard_at + 20,
        "the voice stopped too"
    );
    let show = vec![Tile {
        peer: "ann".into(),
        source: Source::Camera,
        size: Size::Large,
    }];
    assert!(bob.view(show));
    run_until(&mut [&mut ann, &mut bob], LIMIT, "the video again", |p| {
        p[1].got("ann", Source::Camera) > hidden_at + 10
    });
}

#[tokio::test]
async fn who_leaves_stops_being_sent() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Single, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Off, false).await;
    run_until(&mut [&mut ann, &mut bob], LIMIT, "ann's media", |p| {
        p[1].got("ann", Source::Microphone) > 10
    });
    sfu.leave("r1", "ann");
    run_for(&mut [&mut ann, &mut bob], Duration::from_millis(300));
    let after = bob.got("ann", Source::Microphone);
    run_for(&mut [&mut ann, &mut bob], Duration::from_secs(1));
    assert_eq!(
        bob.got("ann", Source::Microphone),
        after,
        "a voice after leaving"
    );
    assert!(bob.is_alive(), "the one who stayed lost the call");
}

#[tokio::test]
async fn a_participant_whose_network_goes_is_reported_gone() {
    let (sfu, mut events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Off, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Off, false).await;
    run_until(&mut [&mut ann, &mut bob], LIMIT, "ann's voice", |p| {
        p[1].got("ann", Source::Microphone) > 10
    });
    // Ann's tab is gone: nothing more comes from her, nor answers.
    drop(ann);
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        bob.turn().unwrap();
        match events.try_recv() {
            Ok(event) => {
                assert_eq!(
                    event,
                    SfuEvent::Gone {
                        room: "r1".into(),
                        peer: "ann".into()
                    }
                );
                break;
            }
            Err(_) => assert!(Instant::now() < deadline, "ann was never reported gone"),
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(bob.is_alive());
}

#[tokio::test]
async fn an_offer_that_is_not_sdp_is_refused_and_nothing_else_ends() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Off, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Off, false).await;
    for garbage in ["", "v=0", "hello\r\nm=audio", &"a".repeat(100_000)] {
        let refused = sfu.join("r1", "mallory", garbage).await;
        assert!(matches!(refused, Err(SfuError::Offer(_))), "{refused:?}");
    }
    run_until(&mut [&mut ann, &mut bob], LIMIT, "the call going on", |p| {
        p[1].got("ann", Source::Microphone) > 10
    });
}

#[tokio::test]
async fn rooms_may_use_the_same_names() {
    let (sfu, _events) = start();
    let mut ann = join(&sfu, "r1", "ann", Camera::Single, true).await;
    let mut bob = join(&sfu, "r1", "bob", Camera::Single, false).await;
    let mut ann2 = join(&sfu, "r2", "ann", Camera::Single, true).await;
    let mut bob2 = join(&sfu, "r2", "bob", Camera::Single, false).await;
    run_until(
        &mut [&mut ann, &mut bob, &mut ann2, &mut bob2],
        LIMIT,
        "both rooms' media",
        |p| {
            p.iter()
                .all(|p| p.frames.len() == 2 && p.frames.values().all(|n| *n > 10))
        },
    );
}
