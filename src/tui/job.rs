//! Background work that keeps only the newest request (as gitui's
//! `AsyncSingleJob`): the hospital-wide warnings, the replenishment plan and
//! the policy simulation run on their own thread and connection, so keys
//! stay answered. A request made while one runs waits, replacing any request
//! that waited before it; when the running one ends, its result is dropped
//! (it is out of date) and the newest request starts. The work may report
//! progress on the way.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

type Work<T, P> = Box<dyn FnOnce(&mut dyn FnMut(P)) -> T + Send>;

enum Sent<T, P> {
    Progress(P),
    Done(T),
}

/// What a job has to say since the last poll.
#[derive(Debug, PartialEq, Eq)]
pub enum Polled<T, P> {
    Progress(P),
    Done(T),
    /// The worker stopped before it finished (it panicked).
    Lost,
}

pub struct AsyncSingleJob<T, P = ()> {
    running: Option<Receiver<Sent<T, P>>>,
    next: Option<Work<T, P>>,
    /// Results of work run in place (tests, `background` off).
    ready: VecDeque<Polled<T, P>>,
}

impl<T, P> Default for AsyncSingleJob<T, P> {
    fn default() -> Self {
        AsyncSingleJob {
            running: None,
            next: None,
            ready: VecDeque::new(),
        }
    }
}

impl<T: Send + 'static, P: Send + 'static> AsyncSingleJob<T, P> {
    /// Asks for `work`: on a thread when `background`, else at once (its
    /// result is given by the next [`poll`](Self::poll)).
    pub fn spawn(
        &mut self,
        background: bool,
        work: impl FnOnce(&mut dyn FnMut(P)) -> T + Send + 'static,
    ) {
        if !background {
            let t = work(&mut |_| {});
            self.ready.push_back(Polled::Done(t));
            return;
        }
        if self.running.is_some() {
            self.next = Some(Box::new(work));
            return;
        }
        self.start(Box::new(work));
    }

    fn start(&mut self, work: Work<T, P>) {
        let (tx, rx) = channel();
        // The worker speaks the language of the console that asked.
        let lang = crate::i18n::lang();
        let zone = crate::i18n::zone();
        std::thread::spawn(move || {
            crate::i18n::set_thread_lang(lang);
            crate::i18n::set_thread_zone(zone);
            let progress = tx.clone();
            let t = work(&mut |p| {
                let _ = progress.send(Sent::Progress(p));
            });
            let _ = tx.send(Sent::Done(t));
        });
        self.running = Some(rx);
    }

    /// Whether work is running or waiting.
    pub fn is_running(&self) -> bool {
        self.running.is_some() || self.next.is_some()
    }

    /// Forgets the running and waiting work: their results are dropped.
    pub fn cancel(&mut self) {
        self.running = None;
        self.next = None;
        self.ready.clear();
    }

    /// Progress and results since the last poll, oldest first.
    pub fn poll(&mut self) -> Vec<Polled<T, P>> {
        let mut out: Vec<Polled<T, P>> = self.ready.drain(..).collect();
        while let Some(rx) = &self.running {
            match rx.try_recv() {
                Ok(Sent::Progress(p)) => out.push(Polled::Progress(p)),
                Ok(Sent::Done(t)) => {
                    self.running = None;
                    match self.next.take() {
                        Some(w) => self.start(w),
                        None => out.push(Polled::Done(t)),
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.running = None;
                    match self.next.take() {
                        Some(w) => self.start(w),
                        None => out.push(Polled::Lost),
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    fn wait<T: Send + 'static, P: Send + 'static>(
        job: &mut AsyncSingleJob<T, P>,
    ) -> Vec<Polled<T, P>> {
        let mut out = Vec::new();
        for _ in 0..500 {
            out.extend(job.poll());
            if !job.is_running() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        out
    }

    #[test]
    fn in_place_work_is_given_by_the_next_poll() {
        let mut job: AsyncSingleJob<i32> = AsyncSingleJob::default();
        job.spawn(false, |_| 7);
        assert_eq!(job.poll(), vec![Polled::Done(7)]);
        assert!(job.poll().is_empty());
    }

    #[test]
    fn only_the_newest_request_gives_a_result() {
        let mut job: AsyncSingleJob<i32, u8> = AsyncSingleJob::default();
        let gate = Arc::new(Barrier::new(2));
        let g = gate.clone();
        job.spawn(true, move |p| {
            p(1);
            g.wait();
            1
        });
        job.spawn(true, |_| 2);
        job.spawn(true, |_| 3);
        gate.wait();
        let out = wait(&mut job);
        assert!(out.contains(&Polled::Done(3)), "{out:?}");
        assert!(!out.contains(&Polled::Done(1)) && !out.contains(&Polled::Done(2)));
        assert!(out.contains(&Polled::Progress(1)));
    }

    #[test]
    fn a_cancelled_job_gives_nothing() {
        let mut job: AsyncSingleJob<i32> = AsyncSingleJob::default();
        job.spawn(true, |_| 1);
        job.cancel();
        assert!(!job.is_running());
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(job.poll().is_empty());
    }
}
