//! SVG plots of the results: single-core cost, the time breakdown, the throughput grid and
//! the producer:writer split.
//!
//! Drawn with `plotters` into in-memory SVG strings (text stays text, so no system fonts
//! are needed) and written atomically by the caller. Batch sizes and splits are
//! categories, drawn at positions 0, 1, 2, … with their names as tick labels.

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::report::study;
use crate::runs::Pipeline;
use crate::stages::{Encoder, Pass};
use crate::study::{Results, grid_configs, sorted_batches, split_configs, study_split_configs};

fn plot_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow!("drawing the plot failed: {e}")
}

const COLOURS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

/// A line chart over categories: one named series of `(category index, value)` each.
fn category_lines(
    title: &str,
    categories: &[String],
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(usize, f64)>)],
    references: &[(String, f64)],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let top = series
            .iter()
            .flat_map(|(_, points)| points.iter().map(|p| p.1))
            .chain(references.iter().map(|r| r.1))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            * 1.6;
        let top = if top > 0.0 { top } else { 1.0 };
        let n = categories.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)
            .map_err(plot_err)?;
        let labels = categories.to_vec();
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()
            .map_err(plot_err)?;
        for (k, (name, points)) in series.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            let pts: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|&(i, v)| (i as f64, v))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                .map_err(plot_err)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled())))
                .map_err(plot_err)?;
        }
        for (k, (name, value)) in references.iter().enumerate() {
            let colour = COLOURS[(series.len() + k) % COLOURS.len()];
            let style = colour.stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(
                    [(-0.5, *value), (n as f64 - 0.5, *value)],
                    6,
                    4,
                    style,
                ))
                .map_err(plot_err)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Single-core ns per record by batch size: generate, write (arrow), write (dremel), and
/// the study's ~140 / ~130 as dashed lines.
pub fn single_core_svg(results: &Results) -> Result<String> {
    let categories: Vec<String> = results
        .single_core
        .iter()
        .map(|b| b.batch_size.to_string())
        .collect();
    let series = vec![
        (
            "generate".to_string(),
            results
                .single_core
                .iter()
                .enumerate()
                .map(|(i, b)| (i, b.cpu(Pass::Generate)))
                .collect(),
        ),
        (
            "write (arrow)".to_string(),
            results
                .single_core
                .iter()
                .enumerate()
                .map(|(i, b)| (i, b.write(Encoder::Arrow)))
                .collect(),
        ),
        (
            "write (dremel)".to_string(),
            results
                .single_core
                .iter()
                .enumerate()
                .map(|(i, b)| (i, b.write(Encoder::Dremel)))
                .collect(),
        ),
    ];
    let references = vec![
        ("study: generate ~140".to_string(), study::GENERATE_NS),
        ("study: write ~130".to_string(), study::WRITE_NS),
    ];
    category_lines(
        &format!(
            "Single core: CPU ns per record by record batch size ({})",
            results.machine.cpu_model
        ),
        &categories,
        "record batch size",
        "ns per record",
        &series,
        &references,
    )
}

/// Records/s by batch size, one line per writer count.
pub fn grid_svg(results: &Results) -> Result<String> {
    let s = &results.settings;
    let batches = sorted_batches(s);
    let grid = grid_configs(s);
    let series: Vec<(String, Vec<(usize, f64)>)> = (1..=s.cores as u64)
        .map(|writers| {
            let points = batches
                .iter()
                .enumerate()
                .filter_map(|(i, &batch)| {
                    let config = grid
                        .iter()
                        .find(|c| c.writers == writers && c.batch_size == batch)?;
                    Some((i, results.series(config)?.records_per_s() / 1e6))
                })
                .collect();
            (format!("{writers} writer(s)"), points)
        })
        .collect();
    category_lines(
        &format!(
            "shred-gen pipeline (dremel): {} producers, {} records, {} cores",
            s.cores, s.records, s.cores
        ),
        &batches.iter().map(usize::to_string).collect::<Vec<_>>(),
        "record batch size",
        "million records/s",
        &series,
        &[],
    )
}

/// A bar chart: one bar per named value, optionally coloured by group.
fn bars(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    values: &[(String, f64, usize)],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let top = values
            .iter()
            .map(|v| v.1)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            * 1.15;
        let top = if top > 0.0 { top } else { 1.0 };
        let n = values.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top)
            .map_err(plot_err)?;
        let labels: Vec<String> = values.iter().map(|v| v.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()
            .map_err(plot_err)?;
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.1.is_finite())
                    .map(|(i, (_, v, group))| {
                        let x = i as f64;
                        Rectangle::new(
                            [(x - 0.35, 0.0), (x + 0.35, *v)],
                            COLOURS[group % COLOURS.len()].filled(),
                        )
                    }),
            )
            .map_err(plot_err)?;
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.1.is_finite())
                    .map(|(i, (_, v, _))| {
                        Text::new(
                            format!("{v:.2}"),
                            (i as f64 - 0.2, *v + top * 0.06),
                            ("sans-serif", 13),
                        )
                    }),
            )
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Records/s per producer:writer split: the study's pipeline, then `shred-gen`'s coloured
/// by writer count.
pub fn split_svg(results: &Results) -> Result<String> {
    let s = &results.settings;
    let configs = study_split_configs(s).into_iter().chain(split_configs(s));
    let values: Vec<(String, f64, usize)> = configs
        .filter_map(|c| {
            let series = results.series(&c)?;
            let (label, group) = match c.pipeline {
                Pipeline::Study => (format!("S {}", c.split()), 0),
                Pipeline::Shredkit => (c.split(), c.writers as usize),
            };
            Some((label, series.records_per_s() / 1e6, group))
        })
        .collect();
    bars(
        &format!(
            "Producers:writers, batch {}, {} records, {} cores",
            s.reference_batch, s.records, s.cores
        ),
        "S = study pipeline (blue); shredkit, dremel: 1 writer (orange), 2 writers (green)",
        "million records/s",
        &values,
    )
}

/// The single-core time of one record, stage by stage, per encoder (stacked bars): the
/// study's way (records first, then build) and `shred-gen`'s (generated straight into the
/// arrays or stripes).
pub fn breakdown_svg(results: &Results) -> Result<String> {
    let Some(batch) = results.reference_single_core() else {
        return Err(anyhow!(
            "no single-core results at the reference batch size"
        ));
    };
    let stages = [
        "generate records",
        "build / shred",
        "generate straight into arrays / stripes",
        "encode",
        "I/O",
    ];
    // (label, [stage costs in `stages` order]).
    let mut rows: Vec<(String, [f64; 5])> = Vec::new();
    for encoder in Encoder::ALL {
        let b = batch.breakdown(encoder);
        rows.push((
            format!("{} records first", encoder.name()),
            [b.generate, b.build, 0.0, b.encode, b.io],
        ));
        rows.push((
            format!("{} shred-gen", encoder.name()),
            [0.0, 0.0, b.fused, b.encode, b.io],
        ));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (860, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let right = rows
            .iter()
            .map(|(_, parts)| parts.iter().map(|v| v.max(0.0)).sum::<f64>())
            .fold(0.0_f64, f64::max)
            * 1.6;
        let n = rows.len();
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "Single core, batch {}: CPU ns per record by stage",
                    batch.batch_size
                ),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(130)
            .build_cartesian_2d(0.0..right.max(1.0), -0.5..(n as f64 - 0.5))
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y: &f64| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc("ns per record")
            .draw()
            .map_err(plot_err)?;
        for (k, stage) in stages.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            let style = colour.filled();
            let rects: Vec<Rectangle<(f64, f64)>> = rows
                .iter()
                .enumerate()
                .filter(|(_, (_, parts))| parts[k] > 0.0)
                .map(|(row, (_, parts))| {
                    let left: f64 = parts[..k].iter().map(|v| v.max(0.0)).sum();
                    let y = row as f64;
                    Rectangle::new([(left, y - 0.3), (left + parts[k], y + 0.3)], style)
                })
                .collect();
            chart
                .draw_series(rects)
                .map_err(plot_err)?
                .label(*stage)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}
