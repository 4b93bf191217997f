package io.sparklora.data.read;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns an official E2E meaning representation ({@code name[The Vaults], eatType[pub]}) into the
 * {@code key : value | key : value} form of microsoft/LoRA's {@code examples/NLG/data/e2e/*.txt}, with its
 * key names ({@code eatType} is {@code Type}, {@code familyFriendly} is {@code family friendly},
 * {@code priceRange} is {@code price}).
 *
 * <p>LoRA's text files were also word-tokenized ({@code £20-25} became {@code £ 20 - 25}, references
 * {@code family-friendly} became {@code family - friendly}); that tokenizer is not part of the LoRA
 * repository and is not reproduced here, so values and references from the CSVs keep their original
 * spelling. To match LoRA's token ids exactly, prepare its {@code .txt} files instead.
 */
public final class E2eLinearizer {

    private static final Pattern ITEM = Pattern.compile("\\s*([^\\[\\],]+?)\\s*\\[([^\\]]*)\\]\\s*(?:,|$)");
    private static final Map<String, String> LORA_KEYS =
            Map.of("eatType", "Type", "familyFriendly", "family friendly", "priceRange", "price");

    private E2eLinearizer() {}

    /** The LoRA-style context, or {@code null} when {@code mr} is not a list of {@code key[value]} items. */
    public static String linearize(String mr) {
        if (mr == null || mr.isBlank()) {
            return null;
        }
        Matcher m = ITEM.matcher(mr);
        StringBuilder sb = new StringBuilder();
        int pos = 0;
        while (pos < mr.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return null;
            }
            String key = m.group(1).strip();
            String value = m.group(2).strip();
            if (sb.length() > 0) {
                sb.append(" | ");
            }
            sb.append(LORA_KEYS.getOrDefault(key, key)).append(" : ").append(value);
            pos = m.end();
        }
        return sb.length() == 0 ? null : sb.toString();
    }
}
