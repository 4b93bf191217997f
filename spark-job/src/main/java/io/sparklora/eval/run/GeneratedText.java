package io.sparklora.eval.run;

import java.util.List;

/**
 * One decoded hypothesis on the driver.
 *
 * @param sentenceBleu mteval BLEU of this hypothesis against its references; NaN without references
 */
public record GeneratedText(PromptGroup input, int[] tokens, String hypothesis, List<String> references,
                            double sentenceBleu) {}
