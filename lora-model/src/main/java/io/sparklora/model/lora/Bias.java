package io.sparklora.model.lora;

import java.util.Locale;

/** Which biases train next to the LoRA matrices (loralib's {@code bias} argument). */
public enum Bias {
    /** No bias trains. */
    NONE,
    /** Every parameter whose name contains "bias" trains. */
    ALL,
    /** Only the biases of LoRA layers train. */
    LORA_ONLY;

    /** Parses loralib's spelling ({@code none}, {@code all}, {@code lora_only}). */
    public static Bias parse(String value) {
        if (value != null) {
            for (Bias b : values()) {
                if (b.name().toLowerCase(Locale.ROOT).equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return b;
                }
            }
        }
        throw new UnsupportedOperationException(
                "bias mode '" + value + "' is not supported; expected none, all or lora_only");
    }

    /** loralib's spelling. */
    public String loralibName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
