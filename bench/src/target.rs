//! The server under test, as a child process, and the seats (socket paths,
//! cookies, chats) that clients take in it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use courier_protocol::http::{ChatCreated, GuestJoin, Joined, NewGroup, SignUp};
use courier_protocol::{ChatId, ChatSummary};
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};
use tokio::sync::Semaphore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Courier,
    /// A minimal broadcast server: no auth, no storage.
    Baseline,
}

/// A running server process.
pub struct Server {
    pub kind: Kind,
    pub addr: SocketAddr,
    child: Child,
    bin: PathBuf,
    data: Option<PathBuf>,
    /// Flags besides the listen address and data directory, kept for restarts.
    extra: Vec<String>,
}

/// Where to find the binaries: next to this one (cargo builds them together).
pub fn sibling_bin(name: &str) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me
        .parent()
        .ok_or_else(|| anyhow!("no parent of {}", me.display()))?;
    Ok(dir.join(name))
}

impl Server {
    /// Starts `courier-server` on `data` (port 0 picks one).
    pub async fn courier(data: &Path, port: u16) -> anyhow::Result<Server> {
        Self::courier_with(data, port, Vec::new()).await
    }

    /// Starts `courier-server` with `extra` flags (such as `--postgres`).
    pub async fn courier_with(
        data: &Path,
        port: u16,
        extra: Vec<String>,
    ) -> anyhow::Result<Server> {
        let bin = sibling_bin("courier-server")?;
        let mut command = Command::new(&bin);
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data")
            .arg(data)
            .args(["--static-dir", "no-app"]);
        // The idle-memory figure opens thousands of sockets of one account.
        command
            .args(["--max-sockets-per-user", "1000000"])
            // It makes up to 100,000 users from one address.
            .args(["--new-users-per-hour", "0"])
            // Its senders go as fast as the server lets them (one sends
            // 200 a second): the limit is on, above what they ask.
            .args(["--sends-per-second", "100000"])
            .args(&extra);
        let mut server = Self::spawn(Kind::Courier, command, bin, Some(data.to_path_buf())).await?;
        server.extra = extra;
        Ok(server)
    }

    pub async fn baseline() -> anyhow::Result<Server> {
        let bin = sibling_bin("baseline-server")?;
        let mut command = Command::new(&bin);
        command.args(["--listen", "127.0.0.1:0"]);
        Self::spawn(Kind::Baseline, command, bin, None).await
    }

    async fn spawn(
        kind: Kind,
        mut command: Command,
        bin: PathBuf,
        data: Option<PathBuf>,
    ) -> anyhow::Result<Server> {
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .context("server start timed out")??
            .ok_or_else(|| anyhow!("server exited before listening"))?;
        let url = line
            .split("running at http://")
            .nth(1)
            .ok_or_else(|| anyhow!("unexpected first line: {line}"))?;
        let addr: SocketAddr = url.trim_end_matches('/').parse()?;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server {
            kind,
            addr,
            child,
            bin,
            data,
            extra: Vec::new(),
        })
    }

    /// SIGKILL: no chance to flush anything.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// SIGKILL without waiting, for drop paths.
    pub fn stop_now(&mut self) {
        let _ = self.child.start_kill();
    }

    /// Starts the same server again on the same port and data.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        let data = self
            .data
            .clone()
            .ok_or_else(|| anyhow!("only Courier restarts"))?;
        for _ in 0..50 {
            match Server::courier_with(&data, self.addr.port(), self.extra.clone()).await {
                Ok(fresh) => {
                    *self = fresh;
                    return Ok(());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        bail!("{} did not restart", self.bin.display())
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    /// The server's resident memory, from /proc.
    pub fn rss_bytes(&self) -> u64 {
        let Some(pid) = self.child.id() else { return 0 };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }
}

/// One client's place: the socket path, its session cookie, its chat.
#[derive(Debug, Clone)]
pub struct Seat {
    pub path: String,
    pub cookie: Option<String>,
    pub chat: ChatId,
}

/// `groups` groups of `size` members each, one seat per member.
pub async fn seats(server: &Server, groups: usize, size: usize) -> anyhow::Result<Vec<Seat>> {
    match server.kind {
        Kind::Baseline => Ok((0..groups * size)
            .map(|i| Seat {
                path: format!("/ws?group={}", i / size),
                cookie: None,
                chat: ChatId((i / size) as i64),
            })
            .collect()),
        Kind::Courier => courier_seats(server.addr, groups, size).await,
    }
}

/// An owner account makes the groups; members are guests joined by invite
/// (no password hashing, so 10,000 members take seconds, not minutes).
async fn courier_seats(addr: SocketAddr, groups: usize, size: usize) -> anyhow::Result<Vec<Seat>> {
    let (_, cookie) = owner(addr).await?;
    let mut chats = Vec::with_capacity(groups);
    for g in 0..groups {
        chats.push(create_chat(addr, &cookie, "group", &format!("bench {g}")).await?);
    }
    let mut members = Vec::with_capacity(groups);
    for chat in &chats {
        members.push(guests(&[addr], chat, size).await?);
    }
    Ok(members.into_iter().flatten().collect())
}

/// A new account that owns what the benchmark makes: its seat path and cookie.
pub async fn owner(addr: SocketAddr) -> anyhow::Result<(String, String)> {
    let http = reqwest::Client::new();
    let response = http
        .post(format!("http://{addr}/api/signup"))
        .json(&SignUp {
            username: format!("bench_{}", rand::random::<u32>()),
            password: "bench password".into(),
            name: None,
        })
        .send()
        .await?
        .error_for_status()?;
    Ok(("/ws".into(), cookie_of(&response)?))
}

/// Creates a group or channel (`kind` names the endpoint) as the owner.
pub async fn create_chat(
    addr: SocketAddr,
    cookie: &str,
    kind: &str,
    name: &str,
) -> anyhow::Result<ChatSummary> {
    let created: ChatCreated = reqwest::Client::new()
        .post(format!("http://{addr}/api/chats/{kind}"))
        .header("cookie", cookie)
        .json(&NewGroup {
            name: name.into(),
            members: Vec::new(),
        })
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(created.chat)
}

/// `n` guests joined to `chat` by its invite, their requests spread over `addrs`.
pub async fn guests(
    addrs: &[SocketAddr],
    chat: &ChatSummary,
    n: usize,
) -> anyhow::Result<Vec<Seat>> {
    let http = reqwest::Client::new();
    let limit = Arc::new(Semaphore::new(32));
    let mut joins = Vec::with_capacity(n);
    for i in 0..n {
        let chat = chat.clone();
        let base = format!("http://{}", addrs[i % addrs.len()]);
        let (http, limit) = (http.clone(), Arc::clone(&limit));
        joins.push(tokio::spawn(async move {
            let _permit = limit.acquire().await?;
            let response = http
                .post(format!("{base}/api/guest"))
                .json(&GuestJoin {
                    invite: chat.invite.clone(),
                    name: format!("member {i}"),
                })
                .send()
                .await?
                .error_for_status()?;
            let cookie = cookie_of(&response)?;
            let _: Joined = response.json().await?;
            anyhow::Ok(Seat {
                path: "/ws".into(),
                cookie: Some(cookie),
                chat: chat.id,
            })
        }));
    }
    let mut seats = Vec::with_capacity(joins.len());
    for join in joins {
        seats.push(join.await??);
    }
    Ok(seats)
}

/// A session for many idle sockets of one account (memory does not depend
/// on whose socket it is).
pub async fn one_session(server: &Server) -> anyhow::Result<Seat> {
    if server.kind == Kind::Baseline {
        return Ok(Seat {
            path: "/ws?group=0".into(),
            cookie: None,
            chat: ChatId(0),
        });
    }
    let base = format!("http://{}", server.addr);
    let response = reqwest::Client::new()
        .post(format!("{base}/api/signup"))
        .json(&SignUp {
            username: format!("idle_{}", rand::random::<u32>()),
            password: "bench password".into(),
            name: None,
        })
        .send()
        .await?
        .error_for_status()?;
    Ok(Seat {
        path: "/ws".into(),
        cookie: Some(cookie_of(&response)?),
        chat: ChatId(0),
    })
}

fn cookie_of(response: &reqwest::Response) -> anyhow::Result<String> {
    let set = response
        .headers()
        .get("set-cookie")
        .ok_or_else(|| anyhow!("no cookie"))?
        .to_str()?;
    Ok(set.split(';').next().unwrap_or_default().to_owned())
}
