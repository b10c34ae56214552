// Package report draws the over-optimization study's figures (PNG or SVG,
// chosen by the file extension) and writes a Markdown report that embeds
// them with a table of scaling-law fits.
//
// A figure is a grid of Panels; a panel holds Series of points in one colour
// each (for instance one per beta), optional error bars, and optional fitted
// scaling-law curves. The axes are set by the data: fitted curves are cut
// off where they leave the data's range in y, and each panel's legend sits
// in a strip to the right of its axes, where it covers no point (the
// high-KL points of Figure 1 are on the right). Four functions lay out the
// study's figures:
//
//   - WinRateVsSqrtKL: the layout of Figure 1 of Rafailov et al. 2024, one
//     panel per objective, points coloured by beta, fitted curves.
//   - TrainingCurves: KL and win rate against training progress.
//   - LengthVsKL: mean response length against KL.
//   - AccuracyVsWinRate: implicit-reward accuracy against win rate.
//
// Every file is written atomically: to a temporary file in the same
// directory, then renamed over the destination.
package report
