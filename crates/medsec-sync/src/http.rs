//! One HTTP GET with the retry, pacing and size rules every source shares.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::SyncObserver;
use crate::error::SyncError;

/// How requests are retried and bounded.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Further attempts after the first, for answers that are worth repeating
    /// (403 and 429 — NVD answers 403 when its rate limit is exceeded — and 5xx, and
    /// network errors).
    pub retries: u32,
    /// The first wait before a retry; it doubles on every further retry, up to
    /// `max_backoff`. A `Retry-After` header (seconds) is honoured up to that cap.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// For the whole request, answer included.
    pub timeout: Duration,
    /// The largest answer accepted, in bytes (an OSV ecosystem archive is the largest
    /// real answer: a few hundred MB).
    pub max_body: u64,
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            retries: 5,
            backoff: Duration::from_secs(6),
            max_backoff: Duration::from_secs(120),
            timeout: Duration::from_secs(600),
            max_body: 2 << 30,
            user_agent: format!("medsec/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;

/// Performs the GETs of a sync. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    policy: FetchPolicy,
    sleep: Sleeper,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// An answer worth another attempt.
fn retryable(status: u16) -> bool {
    matches!(status, 403 | 408 | 429 | 500 | 502 | 503 | 504)
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            // Status codes are judged here, with the body still readable for the message.
            .http_status_as_error(false)
            .user_agent(policy.user_agent.as_str())
            .build();
        Fetcher {
            agent: ureq::Agent::new_with_config(config),
            policy,
            sleep: Arc::new(std::thread::sleep),
        }
    }

    /// Replaces the real sleep (tests make waits instant and count them).
    pub fn with_sleeper(mut self, sleep: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.sleep = Arc::new(sleep);
        self
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    pub(crate) fn pause(&self, wait: Duration) {
        if !wait.is_zero() {
            (self.sleep)(wait);
        }
    }

    /// GET `url` into memory. `None` when the server answers 404 and `missing_ok`.
    pub fn get(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        missing_ok: bool,
        observer: &mut dyn SyncObserver,
    ) -> Result<Option<Vec<u8>>, SyncError> {
        self.with_retries(url, headers, missing_ok, observer, |response| {
            response
                .body_mut()
                .with_config()
                .limit(self.policy.max_body)
                .read_to_vec()
        })
    }

    /// GET `url` into the file `dest` (written beside it first, renamed when complete),
    /// returning the number of bytes.
    pub fn download(
        &self,
        url: &str,
        dest: &Path,
        observer: &mut dyn SyncObserver,
    ) -> Result<u64, SyncError> {
        let partial = dest.with_extension("partial");
        let written = self.with_retries(url, &[], false, observer, |response| {
            let mut reader = response
                .body_mut()
                .with_config()
                .limit(self.policy.max_body)
                .reader();
            let mut file = fs::File::create(&partial).map_err(ureq::Error::Io)?;
            let n = io::copy(&mut reader, &mut file).map_err(|e| {
                // The body reader reports the size limit as an io error wrapping ureq's.
                match e.into_inner() {
                    Some(inner) => match inner.downcast::<ureq::Error>() {
                        Ok(u) => *u,
                        Err(other) => ureq::Error::Io(io::Error::other(other)),
                    },
                    None => ureq::Error::Io(io::Error::other("read failed")),
                }
            })?;
            file.flush().map_err(ureq::Error::Io)?;
            file.sync_all().map_err(ureq::Error::Io)?;
            Ok(n)
        });
        match written {
            Ok(Some(n)) => {
                fs::rename(&partial, dest).map_err(|e| SyncError::io(dest, e))?;
                observer.downloaded(url, n);
                Ok(n)
            }
            Ok(None) => Err(SyncError::bad(url, "not found")),
            Err(e) => {
                let _ = fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    fn with_retries<T>(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        missing_ok: bool,
        observer: &mut dyn SyncObserver,
        mut read: impl FnMut(&mut ureq::http::Response<ureq::Body>) -> Result<T, ureq::Error>,
    ) -> Result<Option<T>, SyncError> {
        let attempts = self.policy.retries + 1;
        let mut wait = self.policy.backoff;
        for attempt in 1..=attempts {
            observer.request(url, attempt);
            let mut request = self.agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let outcome = request.call();
            let (problem, retry_after) = match outcome {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    if (200..300).contains(&status) {
                        match read(&mut response) {
                            Ok(value) => return Ok(Some(value)),
                            Err(ureq::Error::BodyExceedsLimit(_)) => {
                                return Err(SyncError::TooLarge {
                                    url: url.to_string(),
                                    limit: self.policy.max_body,
                                });
                            }
                            Err(e) => (Problem::Transport(e.to_string()), None),
                        }
                    } else if status == 404 && missing_ok {
                        return Ok(None);
                    } else if retryable(status) {
                        let retry_after = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse::<u64>().ok())
                            .map(Duration::from_secs);
                        (Problem::Status(status), retry_after)
                    } else {
                        return Err(SyncError::Status {
                            url: url.to_string(),
                            status,
                            attempts: attempt,
                            hint: hint(status),
                        });
                    }
                }
                Err(e) => (Problem::Transport(e.to_string()), None),
            };
            if attempt == attempts {
                return Err(match problem {
                    Problem::Status(status) => SyncError::Status {
                        url: url.to_string(),
                        status,
                        attempts,
                        hint: hint(status),
                    },
                    Problem::Transport(message) => SyncError::Transport {
                        url: url.to_string(),
                        message,
                        attempts,
                    },
                });
            }
            let pause = retry_after.unwrap_or(wait).min(self.policy.max_backoff);
            observer.retry(url, &problem.to_string(), pause);
            self.pause(pause);
            wait = (wait * 2).min(self.policy.max_backoff);
        }
        // The loop returns on its last attempt.
        Err(SyncError::Config("no attempt was made".into()))
    }
}

enum Problem {
    Status(u16),
    Transport(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Status(s) => write!(f, "HTTP {s}"),
            Problem::Transport(m) => f.write_str(m),
        }
    }
}

fn hint(status: u16) -> String {
    match status {
        403 => "; NVD answers 403 when the rate limit is exceeded or the API key is invalid: wait, or check NVD_API_KEY".into(),
        404 => "; check the address".into(),
        429 => "; rate limited: try again later".into(),
        500..=599 => "; the service is failing: try again later".into(),
        _ => String::new(),
    }
}
