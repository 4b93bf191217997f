/**
 * Model file I/O: {@link io.sparklora.model.io.SafetensorsReader} / {@link io.sparklora.model.io.SafetensorsWriter}
 * (Hugging Face's safetensors format, validated on open, tensors read one at a time) and
 * {@link io.sparklora.model.io.Storage}, the one place paths are resolved (local, {@code file://},
 * {@code hdfs://}, {@code s3a://}) and files are written atomically.
 */
package io.sparklora.model.io;
