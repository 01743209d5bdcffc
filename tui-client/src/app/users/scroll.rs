//! The users panel's scroll: which names a panel of some rows shows, with a row for the names
//! above and one for those below. Pure geometry over the list's length; [`super::Users`] keeps
//! it in step with the list.

/// What the panel shows of the list in a given number of rows: a window of names, with a row
/// saying how many are above it and one saying how many are below when there are any (and
/// the rows to say so: with fewer than three rows there is only room for names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Names above the window (a `↑ N mais` row when non-zero and there is room for it).
    pub above: usize,
    /// Index of the first name shown.
    pub first: usize,
    /// How many names are shown.
    pub shown: usize,
    /// Names below the window (a `↓ N mais` row when non-zero and there is room for it).
    pub below: usize,
    /// Whether the `↑`/`↓` rows are drawn (three rows at least).
    pub marks: bool,
}

/// The first name in view and the rows the panel has for names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Scroll {
    /// Index of the first name the panel shows (0 = the top of the list).
    pub(super) first: usize,
    /// Rows the panel has for names, below its title, as last laid out (0 = hidden).
    pub(super) rows: usize,
}

impl Scroll {
    /// What `rows` rows show of a list of `len` names at this scroll.
    pub(super) fn window(&self, len: usize, rows: usize) -> Window {
        if len <= rows {
            return Window {
                shown: len,
                ..Window::default()
            };
        }
        if rows < 3 {
            let first = self.first.min(len - rows);
            return Window {
                above: first,
                first,
                shown: rows,
                below: len - first - rows,
                marks: false,
            };
        }
        // Scrolled to the end: the `↑` row and the last `rows - 1` names.
        let first = self.first.min(len - (rows - 1));
        let (shown, below) = if first == 0 {
            (rows - 1, len - (rows - 1))
        } else if first + rows > len {
            (len - first, 0)
        } else {
            (rows - 2, len - first - (rows - 2))
        };
        Window {
            above: first,
            first,
            shown,
            below,
            marks: true,
        }
    }

    /// Up by a page: the names a page shows, so the top one ends near the bottom.
    pub(super) fn page_up(&mut self, len: usize) {
        let page = if self.rows >= 3 {
            self.rows - 2
        } else {
            self.rows.max(1)
        };
        self.first = self.first.saturating_sub(page);
        self.clamp(len);
    }

    /// Down by a page: the name after the last shown comes first.
    pub(super) fn page_down(&mut self, len: usize) {
        let window = self.window(len, self.rows);
        self.first = window.first + window.shown.max(1);
        self.clamp(len);
    }

    /// Keeps the scroll within what the panel can show of `len` names, so a key pressed at the
    /// bottom does not pile up invisible scroll that later presses must undo.
    pub(super) fn clamp(&mut self, len: usize) {
        let max = match self.rows {
            0 => len.saturating_sub(1),
            r if len <= r => 0,
            r if r < 3 => len - r,
            r => len - (r - 1),
        };
        self.first = self.first.min(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_marks_names_above_and_below() {
        let mut s = Scroll { first: 0, rows: 6 };
        assert_eq!(
            s.window(20, 6),
            Window {
                above: 0,
                first: 0,
                shown: 5,
                below: 15,
                marks: true
            }
        );
        s.page_down(20);
        let w = s.window(20, 6);
        assert_eq!((w.first, w.shown, w.below), (5, 4, 11));
        s.first = 1000;
        s.clamp(20);
        assert_eq!(s.first, 15, "the end: the ↑ row and the last five");
        let w = s.window(20, 6);
        assert_eq!((w.above, w.shown, w.below), (15, 5, 0));
        s.page_up(20);
        assert_eq!(s.first, 11);
        // Fewer than three rows: names only.
        s.first = 0;
        assert_eq!(
            s.window(20, 2),
            Window {
                above: 0,
                first: 0,
                shown: 2,
                below: 18,
                marks: false
            }
        );
        // Everything fits: no marks, no scroll.
        s.first = 3;
        s.clamp(4);
        assert_eq!(s.first, 0);
        assert_eq!(s.window(4, 6).shown, 4);
    }

    #[test]
    fn paging_down_meets_every_name_in_order_within_the_rows() {
        for len in 0..30 {
            for rows in 1..12 {
                let mut s = Scroll { first: 0, rows };
                let mut seen = 0;
                for _ in 0..=len {
                    let w = s.window(len, rows);
                    let drawn = w.shown
                        + usize::from(w.marks && w.above > 0)
                        + usize::from(w.marks && w.below > 0);
                    assert!(drawn <= rows, "{len} names in {rows} rows: {w:?}");
                    assert_eq!(w.above + w.shown + w.below, len, "{w:?}");
                    assert_eq!(w.above, w.first, "{w:?}");
                    assert!(w.first <= seen, "no name skipped: {len}/{rows} {w:?}");
                    seen = w.first + w.shown;
                    if w.below == 0 {
                        break;
                    }
                    s.page_down(len);
                }
                assert_eq!(seen, len, "{len} names in {rows} rows: all met");
            }
        }
    }
}
