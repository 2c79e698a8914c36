//! The interface texts, one table per area of the console, joined into one list at
//! compile time.
mod assessment;
mod cases;
mod contacts;
mod contests;
mod craftsmen;
mod innovations;
mod registers;
mod shell;
mod studios;
mod tasks;
mod training;

/// key, 中文, English
type Message = (&'static str, &'static str, &'static str);

/// Every area's table.
const AREAS: &[&[Message]] = &[
    shell::MESSAGES,
    registers::MESSAGES,
    tasks::MESSAGES,
    contacts::MESSAGES,
    cases::MESSAGES,
    assessment::MESSAGES,
    training::MESSAGES,
    contests::MESSAGES,
    craftsmen::MESSAGES,
    studios::MESSAGES,
    innovations::MESSAGES,
];

/// key, 中文, English: every area's table, one after another.
pub const MESSAGES: &[(&str, &str, &str)] = &join::<{ count(AREAS) }>(AREAS);

/// How many texts the tables hold.
const fn count(areas: &[&[Message]]) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < areas.len() {
        n += areas[i].len();
        i += 1;
    }
    n
}

/// The tables one after another (`N` is their `count`).
const fn join<const N: usize>(areas: &[&[Message]]) -> [Message; N] {
    let mut out = [("", "", ""); N];
    let (mut i, mut k) = (0, 0);
    while i < areas.len() {
        let mut j = 0;
        while j < areas[i].len() {
            out[k] = areas[i][j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
}
