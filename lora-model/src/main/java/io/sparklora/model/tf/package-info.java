/**
 * Reading TensorFlow checkpoints without TensorFlow: a LevelDB-table reader ({@link io.sparklora.model.tf.SsTableReader}),
 * a protobuf wire decoder ({@link io.sparklora.model.tf.ProtoReader}) and the tensor-bundle reader
 * ({@link io.sparklora.model.tf.TensorBundleReader}), all checksum-verified; and the BERT importer
 * ({@link io.sparklora.model.tf.BertTfImport}) that turns Google's BERT checkpoint into a Hugging Face directory.
 */
package io.sparklora.model.tf;
