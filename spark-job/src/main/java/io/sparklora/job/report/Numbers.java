package io.sparklora.job.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** Number formatting and axis ticks for the report. */
public final class Numbers {
    private Numbers() {}

    /**
     * A value rounded to 4 significant digits, without trailing zeros: {@code 0.875}, {@code 12.35},
     * {@code 2e-4}; plain notation from 1e-3 to below 1e6, scientific outside. NaN and infinities by name.
     */
    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        double abs = Math.abs(d.doubleValue());
        if (abs >= 1e-3 && abs < 1e6) {
            return d.toPlainString();
        }
        return scientific(d);
    }

    private static String scientific(BigDecimal d) {
        int exponent = d.precision() - d.scale() - 1;
        BigDecimal mantissa = d.movePointLeft(exponent).stripTrailingZeros();
        return mantissa.toPlainString() + "e" + exponent;
    }

    /** A tick label: as many decimals as the tick spacing needs, scientific for tiny or huge axes. */
    public static String tick(double v, double spacing, double axisMagnitude) {
        if (Math.abs(v) < spacing * 1e-9) {
            return "0";
        }
        if (axisMagnitude < 1e-2 || axisMagnitude >= 1e6) {
            return format(v);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(spacing) + 1e-9));
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** A "nice" tick spacing (1, 2 or 5 times a power of ten) giving about {@code count} ticks over the range. */
    public static double niceSpacing(double range, int count) {
        if (!(range > 0) || Double.isInfinite(range)) {
            return 1;
        }
        double raw = range / Math.max(1, count - 1);
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }

    /** Tick positions from {@code floor(min/spacing)*spacing} to {@code ceil(max/spacing)*spacing}. */
    public static List<Double> ticks(double min, double max, double spacing) {
        List<Double> out = new ArrayList<>();
        long first = (long) Math.floor(min / spacing + 1e-9);
        long last = (long) Math.ceil(max / spacing - 1e-9);
        for (long i = first; i <= last && out.size() < 100; i++) {
            out.add(i * spacing);
        }
        return out;
    }
}
