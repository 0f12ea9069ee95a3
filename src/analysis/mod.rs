//! Everything computed from the model before rules run, in order, each step taking only what comes
//! before it: where each recipient exists, effective addresses (with how Exchange stamps policy
//! addresses), pairs of objects that are one, and the cloud view.

pub mod addresses;
pub mod cloud;
pub mod pairs;
pub mod policy;
pub mod presence;
pub mod stamping;

use jiff::civil::Date;

use crate::model::Model;
use crate::util::timings::Timings;

/// The analysis of one model: built once, read by every rule and every command.
pub struct Analysis<'m> {
    pub model: &'m Model<'m>,
    /// Where each recipient exists: the one answer to sync scope.
    pub presence: presence::Presence,
    pub derived: addresses::Derived<'m>,
    pub pairs: pairs::Pairs,
    pub cloud: cloud::CloudView,
    /// The evaluation date of date rules.
    pub today: Date,
}

impl<'m> Analysis<'m> {
    /// `today`: `--today`; else `[lint] today`; else the system's UTC date.
    pub fn new(model: &'m Model<'m>, today: Option<Date>, timings: &Timings) -> Analysis<'m> {
        let today = today
            .or(model.lint.today.as_ref().map(|t| t.value))
            .unwrap_or_else(|| jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date());
        let presence = presence::Presence::new(model);
        let derived = timings.time("effective addresses and indexes", || addresses::Derived::new(model, &presence));
        let pairs = timings.time("pairs of objects", || pairs::Pairs::find(model, &presence, &derived));
        let cloud = timings.time("cloud view", || {
            cloud::CloudView::build(model, &presence, &derived, &pairs, today, model.lint.grace_days())
        });
        Analysis { model, presence, derived, pairs, cloud, today }
    }
}
