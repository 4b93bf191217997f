package io.sparklora.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Objects;

/**
 * One batch for an encoder: {@code input_ids [B, T]} (int32 or int64), and optionally
 * {@code attention_mask [B, T]} (1 = token, 0 = padding; null = all tokens) and
 * {@code token_type_ids [B, T]} (null = all segment 0). All arrays should belong to the step's
 * manager: every activation of the forward pass lands in the manager of {@code inputIds}.
 */
public record BertInputs(NDArray inputIds, NDArray attentionMask, NDArray tokenTypeIds) {

    public BertInputs {
        Objects.requireNonNull(inputIds, "inputIds");
        Shape s = inputIds.getShape();
        if (s.dimension() != 2 || s.get(0) == 0 || s.get(1) == 0) {
            throw new IllegalArgumentException("input_ids must be a non-empty [batch, seq] array, got shape " + s);
        }
        checkIntegral("input_ids", inputIds);
        if (attentionMask != null && !attentionMask.getShape().equals(s)) {
            throw new IllegalArgumentException("attention_mask has shape " + attentionMask.getShape()
                    + ", expected the shape of input_ids " + s);
        }
        if (tokenTypeIds != null) {
            if (!tokenTypeIds.getShape().equals(s)) {
                throw new IllegalArgumentException("token_type_ids has shape " + tokenTypeIds.getShape()
                        + ", expected the shape of input_ids " + s);
            }
            checkIntegral("token_type_ids", tokenTypeIds);
        }
    }

    /** Ids only: no padding, one segment. */
    public static BertInputs of(NDArray inputIds) {
        return new BertInputs(inputIds, null, null);
    }

    public static BertInputs of(NDArray inputIds, NDArray attentionMask) {
        return new BertInputs(inputIds, attentionMask, null);
    }

    public long batchSize() {
        return inputIds.getShape().get(0);
    }

    public long seqLength() {
        return inputIds.getShape().get(1);
    }

    private static void checkIntegral(String what, NDArray a) {
        DataType t = a.getDataType();
        if (t != DataType.INT64 && t != DataType.INT32) {
            throw new IllegalArgumentException(what + " must be int32 or int64, got " + t);
        }
    }
}
