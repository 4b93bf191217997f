package io.sparklora.job.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A line chart as inline SVG: title, axes with ticks and labels, one {@code <path data-series="ID">} per
 * series (markers too when a series has few points, each with a tooltip), and an HTML legend below.
 * Non-finite values (a NaN loss) break the line instead of bending the axis.
 */
public final class SvgChart {
    /** Longest path drawn: longer series are thinned to every k-th point (the last point always kept). */
    public static final int MAX_POINTS = 2000;
    private static final int MARKER_LIMIT = 60;
    private static final int W = 560;
    private static final int H = 290;
    private static final int LEFT = 72;
    private static final int RIGHT = 18;
    private static final int TOP = 34;
    private static final int BOTTOM = 48;

    /** A series and the colour it is drawn in. */
    public record Line(Series series, String color, String label) {
        public Line {
            Objects.requireNonNull(series, "series");
            Objects.requireNonNull(color, "color");
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Line> lines = new ArrayList<>();

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = Objects.requireNonNull(title, "title");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
    }

    public SvgChart add(Series series, String color, String label) {
        lines.add(new Line(series, color, label));
        return this;
    }

    /** The chart as a {@code <figure>}: the SVG and its legend. */
    public String render() {
        if (lines.isEmpty()) {
            throw new IllegalStateException("chart '" + title + "' has no series");
        }
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Line l : lines) {
            Series s = l.series();
            for (int i = 0; i < s.size(); i++) {
                xMin = Math.min(xMin, s.steps()[i]);
                xMax = Math.max(xMax, s.steps()[i]);
                double v = s.values()[i];
                if (Double.isFinite(v)) {
                    yMin = Math.min(yMin, v);
                    yMax = Math.max(yMax, v);
                }
            }
        }
        if (yMin > yMax) { // nothing finite
            yMin = 0;
            yMax = 1;
        }
        if (yMin == yMax) {
            double pad = yMin == 0 ? 1 : Math.abs(yMin) * 0.1;
            yMin -= pad;
            yMax += pad;
        }
        if (xMin == xMax) {
            xMin -= 1;
            xMax += 1;
        }
        double ySpacing = Numbers.niceSpacing(yMax - yMin, 6);
        List<Double> yTicks = Numbers.ticks(yMin, yMax, ySpacing);
        double y0 = yTicks.get(0), y1 = yTicks.get(yTicks.size() - 1);
        double xSpacing = Math.max(1, Math.round(Numbers.niceSpacing(xMax - xMin, 7)));
        List<Double> xTicks = Numbers.ticks(xMin, xMax, xSpacing);
        double x0 = xTicks.get(0), x1 = xTicks.get(xTicks.size() - 1);
        double yMag = Math.max(Math.abs(y0), Math.abs(y1));

        Scale sx = new Scale(x0, x1, LEFT, W - RIGHT);
        Scale sy = new Scale(y0, y1, H - BOTTOM, TOP);
        StringBuilder b = new StringBuilder(4096);
        b.append("<figure class=\"chart\">\n");
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" width=\"").append(W).append("\" height=\"").append(H).append("\" role=\"img\" aria-label=\"")
                .append(Html.esc(title)).append("\">\n");
        b.append("<text class=\"title\" x=\"").append(W / 2).append("\" y=\"20\" text-anchor=\"middle\">")
                .append(Html.esc(title)).append("</text>\n");
        // grid and tick labels
        b.append("<g class=\"axis y\">\n");
        for (double t : yTicks) {
            String y = fmt(sy.map(t));
            b.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT).append("\" y1=\"")
                    .append(y).append("\" y2=\"").append(y).append("\"/>");
            b.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(y)
                    .append("\" dy=\"0.32em\" text-anchor=\"end\">").append(Numbers.tick(t, ySpacing, yMag))
                    .append("</text>\n");
        }
        b.append("</g>\n<g class=\"axis x\">\n");
        for (double t : xTicks) {
            String x = fmt(sx.map(t));
            b.append("<line class=\"tick\" x1=\"").append(x).append("\" x2=\"").append(x).append("\" y1=\"")
                    .append(H - BOTTOM).append("\" y2=\"").append(H - BOTTOM + 5).append("\"/>");
            b.append("<text x=\"").append(x).append("\" y=\"").append(H - BOTTOM + 18)
                    .append("\" text-anchor=\"middle\">").append((long) Math.rint(t)).append("</text>\n");
        }
        b.append("</g>\n");
        b.append("<rect class=\"frame\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                .append(W - LEFT - RIGHT).append("\" height=\"").append(H - TOP - BOTTOM).append("\"/>\n");
        b.append("<text class=\"label\" x=\"").append((LEFT + W - RIGHT) / 2).append("\" y=\"").append(H - 8)
                .append("\" text-anchor=\"middle\">").append(Html.esc(xLabel)).append("</text>\n");
        b.append("<text class=\"label\" transform=\"translate(16,").append((TOP + H - BOTTOM) / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.esc(yLabel)).append("</text>\n");
        for (Line l : lines) {
            appendLine(b, l, sx, sy);
        }
        b.append("</svg>\n<ul class=\"legend\">");
        for (Line l : lines) {
            b.append("<li data-legend=\"").append(Html.esc(l.series().id())).append("\"><span class=\"swatch\" style=\"background:")
                    .append(l.color()).append("\"></span>").append(Html.esc(l.label())).append("</li>");
        }
        b.append("</ul>\n</figure>\n");
        return b.toString();
    }

    private static void appendLine(StringBuilder b, Line line, Scale sx, Scale sy) {
        Series s = line.series();
        int stride = Math.max(1, (s.size() + MAX_POINTS - 1) / MAX_POINTS);
        StringBuilder d = new StringBuilder(s.size() * 14);
        boolean penDown = false;
        int drawn = 0;
        for (int i = 0; i < s.size(); i++) {
            if (i % stride != 0 && i != s.size() - 1) {
                continue;
            }
            double v = s.values()[i];
            if (!Double.isFinite(v)) {
                penDown = false;
                continue;
            }
            d.append(penDown ? " L" : (d.length() == 0 ? "M" : " M")).append(fmt(sx.map(s.steps()[i]))).append(' ')
                    .append(fmt(sy.map(v)));
            penDown = true;
            drawn++;
        }
        String id = Html.esc(s.id());
        b.append("<path class=\"series\" data-series=\"").append(id).append("\" data-points=\"").append(drawn)
                .append("\" stroke=\"").append(line.color()).append("\" d=\"").append(d).append("\">")
                .append("<title>").append(Html.esc(line.label())).append("</title></path>\n");
        if (s.size() <= MARKER_LIMIT) {
            b.append("<g class=\"markers\" data-series-markers=\"").append(id).append("\" fill=\"").append(line.color())
                    .append("\">");
            for (int i = 0; i < s.size(); i++) {
                double v = s.values()[i];
                if (Double.isFinite(v)) {
                    b.append("<circle cx=\"").append(fmt(sx.map(s.steps()[i]))).append("\" cy=\"").append(fmt(sy.map(v)))
                            .append("\" r=\"3\"><title>").append(Html.esc(line.label())).append(", step ")
                            .append(s.steps()[i]).append(": ").append(Numbers.format(v)).append("</title></circle>");
                }
            }
            b.append("</g>\n");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Linear map from data to pixels. */
    private record Scale(double d0, double d1, double p0, double p1) {
        double map(double v) {
            return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
        }
    }
}
