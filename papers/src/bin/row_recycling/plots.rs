//! SVG plots: the model's speedup heatmaps and measured vs predicted speedup per database.
//!
//! Drawn with `plotters` into an in-memory SVG string (no system fonts needed: the SVG
//! keeps its text as text), then written atomically by the caller. A heatmap shows
//! `S(n, m)` for `n, m ∈ [0, 10]`, one cell per pair with its value printed in it; the
//! colour is `log10 S` on a diverging scale: blue where recycling is faster (`S > 1`),
//! white at `S = 1`, red where it is slower, grey where there is no value (`n = m = 0`,
//! or a bucket the job never produced). The scatter plot puts each measured bucket's
//! speedup against each model's prediction, with the line `predicted = measured`.

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;

use crate::analysis::Bucket;
use crate::model::{self, MAX_ROWS, STUDY_RATIOS};

/// A heatmap's values: `cells[n][m]`, `None` where undefined or unmeasured.
pub type Grid = Vec<Vec<Option<f64>>>;

/// The study model's grid at `ratio = t_u/t_d`.
pub fn model_grid(ratio: f64) -> Grid {
    (0..=MAX_ROWS)
        .map(|n| {
            (0..=MAX_ROWS)
                .map(|m| model::speedup(n, m, ratio))
                .collect()
        })
        .collect()
}

/// A grid from buckets, taking one value per bucket.
pub fn bucket_grid(buckets: &[Bucket], value: impl Fn(&Bucket) -> Option<f64>) -> Grid {
    let size = MAX_ROWS as usize + 1;
    let mut grid = vec![vec![None; size]; size];
    for b in buckets {
        if let Some(cell) = grid
            .get_mut(b.n as usize)
            .and_then(|row| row.get_mut(b.m as usize))
        {
            *cell = value(b);
        }
    }
    grid
}

fn plot_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing the plot failed: {e}")
}

/// The colour of speedup `s` on a diverging scale saturating at `10^±max_log`.
pub fn colour(s: f64, max_log: f64) -> RGBColor {
    let t = (s.log10() / max_log).clamp(-1.0, 1.0);
    let blend = |to: (f64, f64, f64), w: f64| {
        let mix = |c: f64| (255.0 + (c - 255.0) * w).round() as u8;
        RGBColor(mix(to.0), mix(to.1), mix(to.2))
    };
    if t >= 0.0 {
        blend((33.0, 102.0, 172.0), t)
    } else {
        blend((178.0, 24.0, 43.0), -t)
    }
}

fn format_speedup(s: f64) -> String {
    if s >= 99.5 {
        format!("{s:.0}")
    } else if s >= 9.95 {
        format!("{s:.1}")
    } else {
        format!("{s:.2}")
    }
}

/// Draws one heatmap panel.
fn heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    grid: &Grid,
    max_log: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let top = MAX_ROWS as f64 + 0.5;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 17))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(34)
        .build_cartesian_2d(-0.5..top, -0.5..top)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(MAX_ROWS as usize + 1)
        .y_labels(MAX_ROWS as usize + 1)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("m (rows after)")
        .y_desc("n (rows before)")
        .draw()
        .map_err(plot_err)?;
    for (n, row) in grid.iter().enumerate() {
        for (m, cell) in row.iter().enumerate() {
            let (x, y) = (m as f64, n as f64);
            let fill = match cell {
                Some(s) => colour(*s, max_log),
                None => RGBColor(225, 225, 225),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    fill.filled(),
                )))
                .map_err(plot_err)?;
            let label = cell.map_or_else(|| "–".to_string(), format_speedup);
            let style = ("sans-serif", 10)
                .into_font()
                .color(&BLACK)
                .pos(text_anchor::Pos::new(
                    text_anchor::HPos::Center,
                    text_anchor::VPos::Center,
                ));
            chart
                .draw_series(std::iter::once(Text::new(label, (x, y), style)))
                .map_err(plot_err)?;
        }
    }
    Ok(())
}

/// The study's five surfaces as heatmaps, one panel per ratio `t_u/t_d`.
pub fn model_surfaces_svg() -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1500, 1000)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (title, body) = root.split_vertically(40);
        title
            .titled(
                "Row recycling model: S = (n + m) / (|n - m| + min(n, m) * t_u/t_d), t_i = t_d",
                ("sans-serif", 22),
            )
            .map_err(plot_err)?;
        let panels = body.split_evenly((2, 3));
        let max_log = 200f64.log10();
        for (panel, ratio) in panels.iter().zip(STUDY_RATIOS) {
            let (lo, hi) = model::speedup_range(ratio);
            let title = format!(
                "t_u/t_d = {ratio}: S from {} to {}",
                format_speedup(lo),
                format_speedup(hi)
            );
            heatmap(panel, &title, &model_grid(ratio), max_log)?;
        }
        legend(&panels[5], max_log)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// A colour legend panel for the diverging scale.
fn legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, max_log: f64) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let steps = [0.01, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0, 200.0];
    let font = ("sans-serif", 14).into_font().color(&BLACK);
    area.draw(&Text::new(
        "S (colour = log10 S)",
        (20, 40),
        ("sans-serif", 16).into_font(),
    ))
    .map_err(plot_err)?;
    let cell = ((w as i32 - 40) / steps.len() as i32).max(10);
    for (i, s) in steps.iter().enumerate() {
        let x = 20 + i as i32 * cell;
        area.draw(&Rectangle::new(
            [(x, 70), (x + cell, 110)],
            colour(*s, max_log).filled(),
        ))
        .map_err(plot_err)?;
        area.draw(&Text::new(format!("{s}"), (x + 4, 118), font.clone()))
            .map_err(plot_err)?;
    }
    let notes = [
        "blue: recycling faster, red: slower",
        "grey: undefined (n = m = 0) or not measured",
        "n, m: rows of the chunk before / after",
    ];
    for (i, note) in notes.iter().enumerate() {
        area.draw(&Text::new(*note, (20, 160 + 24 * i as i32), font.clone()))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Measured vs predicted speedup for one database run: heatmaps of the measured speedup
/// and of two predictions, and a scatter of every bucket.
pub fn measured_vs_predicted_svg(title: &str, ratio: f64, buckets: &[Bucket]) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1500, 1000)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (head, body) = root.split_vertically(40);
        head.titled(title, ("sans-serif", 22)).map_err(plot_err)?;
        let panels = body.split_evenly((2, 2));
        let spread = buckets
            .iter()
            .flat_map(|b| [Some(b.measured), b.study, b.with_fixed])
            .flatten()
            .map(|s| s.log10().abs())
            .fold(0.05f64, f64::max);
        heatmap(
            &panels[0],
            "measured S (median DMI chunk / median recycling chunk)",
            &bucket_grid(buckets, |b| Some(b.measured)),
            spread,
        )?;
        heatmap(
            &panels[1],
            &format!("study model at measured t_u/t_d = {ratio:.3}"),
            &bucket_grid(buckets, |b| b.study),
            spread,
        )?;
        heatmap(
            &panels[2],
            "general model + median fixed cost per transaction",
            &bucket_grid(buckets, |b| b.with_fixed),
            spread,
        )?;
        scatter(&panels[3], buckets)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn scatter<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, buckets: &[Bucket]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let values = buckets
        .iter()
        .flat_map(|b| [Some(b.measured), b.study, b.general, b.with_fixed])
        .flatten()
        .filter(|s| s.is_finite() && *s > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
        (lo.min(s), hi.max(s))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo / 1.2, hi * 1.2)
    } else {
        (0.5, 2.0)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            "each (n, m) bucket: predicted vs measured S",
            ("sans-serif", 17),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(lo..hi, lo..hi)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("measured S")
        .y_desc("predicted S")
        .x_labels(12)
        .y_labels(12)
        .x_label_formatter(&|v| format!("{v:.2}"))
        .y_label_formatter(&|v| format!("{v:.2}"))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.stroke_width(1)))
        .map_err(plot_err)?
        .label("predicted = measured")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    type Pick = fn(&Bucket) -> Option<f64>;
    let series: [(&str, RGBColor, Pick); 3] = [
        ("study model (t_i = t_d)", RGBColor(178, 24, 43), |b| {
            b.study
        }),
        ("general model (t_i apart)", RGBColor(230, 145, 30), |b| {
            b.general
        }),
        ("general + fixed cost", RGBColor(33, 102, 172), |b| {
            b.with_fixed
        }),
    ];
    for (label, colour, pick) in series {
        let points: Vec<(f64, f64)> = buckets
            .iter()
            .filter_map(|b| pick(b).map(|p| (b.measured, p)))
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .collect();
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, colour.filled())),
            )
            .map_err(plot_err)?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plot_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_grid_has_no_value_at_the_origin() {
        let grid = model_grid(1.0);
        assert_eq!(grid.len(), 11);
        assert_eq!(grid[0][0], None);
        assert_eq!(grid[4][4], Some(2.0));
    }

    #[test]
    fn colours_diverge_around_one() {
        assert_eq!(colour(1.0, 1.0), RGBColor(255, 255, 255));
        let fast = colour(10.0, 1.0);
        let slow = colour(0.1, 1.0);
        assert!(fast.2 > fast.0, "speedups are blue");
        assert!(slow.0 > slow.2, "slowdowns are red");
        assert_eq!(colour(1000.0, 1.0), colour(10.0, 1.0), "saturates");
    }

    #[test]
    fn model_surfaces_name_every_ratio() {
        let svg = model_surfaces_svg().unwrap();
        assert!(svg.starts_with("<svg"));
        for ratio in STUDY_RATIOS {
            assert!(svg.contains(&format!("t_u/t_d = {ratio}:")), "{ratio}");
        }
        let cells = svg.lines().filter(|l| l.trim() == "200").count();
        // the 0.01 surface is 200 on its diagonal n = m = 1..=10, and the legend has a 200
        assert_eq!(cells, 11);
    }
}
