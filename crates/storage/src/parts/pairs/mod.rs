//! Pairing (结对共建): 国企↔民企 pairs (state-owned with private, by `orgs.ownership`) and
//! 链主↔配套 pairs (a chain leader, `orgs.chain_leader`, with its supplier, named by the
//! chain), their activities, and the graph of each chain's pairs.
//!
//! A pair is visible to whoever sees either side; region staff create pairs between
//! enterprises of their area and record activities for pairs with a side in their area;
//! a unit records activities of its own pairs. Region staff with both sides in their area edit a pair
//! or end it (结束结对, with a date and a reason; it keeps its activities, takes none
//! dated later, and the graphs mark it); whoever records activities corrects or deletes
//! them.
//!
//! The folder: `types.rs` (the wire types), `sql.rs` (row mapping, visibility, the
//! shared look-ups), `pairing.rs` (creating, reading, listing, graphing, editing and
//! ending pairs) and `activities.rs` (recording, correcting and deleting activities).

mod activities;
mod pairing;
mod sql;
mod types;

pub use types::{
    Activity, ActivityEdit, ActivityInput, ChainGraph, GraphLink, GraphNode, Pair, PairEdit,
    PairEndInput, PairFilter, PairInput,
};
