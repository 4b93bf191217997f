package io.sparklora.job.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparklora.model.gpt2.Gpt2Checkpoints;
import io.sparklora.model.task.ModelSpec;
import io.sparklora.model.gpt2.Gpt2Config;
import io.sparklora.model.gpt2.Gpt2LMHeadModel;
import io.sparklora.model.io.HfModelDir;
import io.sparklora.model.io.HfModelWriter;
import io.sparklora.model.io.Storage;
import io.sparklora.model.lora.LoraInjector;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.nn.Module;
import io.sparklora.model.peft.MergedExport;
import io.sparklora.model.peft.PeftAdapter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparklora merge --base DIR --adapter DIR --output DIR}: PEFT's {@code merge_and_unload} as a command.
 * Reads a Hugging Face base model directory and a PEFT LoRA adapter directory (as sparklora or Hugging Face PEFT
 * writes it), folds every ΔW into its base weight and writes a plain Hugging Face model directory that any
 * {@code from_pretrained} loads without PEFT.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Fold a PEFT LoRA adapter into its base model and write a plain Hugging Face model directory.")
public final class MergeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(MergeCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--base", required = true, paramLabel = "DIR",
            description = "Base model: Hugging Face directory with config.json and model.safetensors (or shards).")
    String base;

    @Option(names = "--adapter", required = true, paramLabel = "DIR",
            description = "PEFT adapter directory: adapter_config.json and adapter_model.safetensors.")
    String adapter;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Output directory (local path, file://, hdfs:// or s3a://).")
    String output;

    @Option(names = "--force", description = "Replace the model files of an existing output directory.")
    boolean force;

    @Option(names = "--max-shard-bytes", paramLabel = "N", defaultValue = "" + HfModelWriter.DEFAULT_MAX_SHARD_BYTES,
            description = "Split the weights into shards of at most N bytes (default: ${DEFAULT-VALUE}).")
    long maxShardBytes;

    @Override
    public Integer call() throws Exception {
        if (maxShardBytes <= 0) {
            throw new ExitCodes.BadConfigException("--max-shard-bytes must be > 0, got " + maxShardBytes);
        }
        Storage storage = new Storage();
        if (storage.qualify(strip(output)).equals(storage.qualify(strip(base)))) {
            throw new ExitCodes.BadConfigException("--output must differ from --base (" + base + ")");
        }
        try (HfModelDir baseDir = openBase(storage)) {
            String type = modelType(baseDir);
            JsonNode adapterConfig;
            LoraSpec spec;
            try {
                adapterConfig = PeftAdapter.readConfig(storage, strip(adapter));
                spec = PeftAdapter.specFromConfig(adapterConfig, strip(adapter) + "/" + PeftAdapter.CONFIG)
                        .withMergeWeights(false);
            } catch (IOException e) {
                throw new ExitCodes.BadInputException(e.getMessage(), e);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                throw new ExitCodes.BadConfigException(e.getMessage());
            }
            try (NDManager manager = NDManager.newBaseManager()) {
                Module model;
                try {
                    model = build(type, baseDir, manager, spec, storage, strip(adapter));
                    PeftAdapter.loadInto(model, spec, storage, strip(adapter));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new ExitCodes.BadInputException(e.getMessage(), e);
                }
                try {
                    MergedExport.write(model, baseDir, storage, strip(output), force, maxShardBytes);
                } catch (FileAlreadyExistsException e) {
                    throw new ExitCodes.BadConfigException(e.getFile() + " already exists; pass --force to replace it");
                }
            }
        }
        commandSpec.commandLine().getOut().println(
                "merged " + adapter + " into " + base + ": wrote " + storage.qualify(strip(output)));
        commandSpec.commandLine().getOut().flush();
        return SparkloraCli.EXIT_OK;
    }

    private HfModelDir openBase(Storage storage) {
        try {
            return HfModelDir.open(storage, strip(base));
        } catch (IOException e) {
            throw new ExitCodes.BadInputException(e.getMessage(), e);
        }
    }

    private static String modelType(HfModelDir dir) {
        String type;
        try {
            type = dir.modelType().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new ExitCodes.BadInputException(e.getMessage(), e);
        }
        switch (type) {
            case "gpt2":
            case "bert":
            case "roberta":
                return type;
            default:
                throw new ExitCodes.BadConfigException(dir.path() + "/config.json: model_type '" + type
                        + "' is not supported; expected gpt2, bert or roberta");
        }
    }

    /**
     * The base model with the adapter's LoRA layers injected: GPT-2 loaded strictly (an unknown,
     * missing or mis-shaped tensor fails, naming it); BERT/RoBERTa as sequence classifiers whose head
     * size comes from the adapter's saved classifier.
     */
    private static Module build(String type, HfModelDir dir, NDManager manager, LoraSpec spec, Storage storage,
                                String adapterDir) throws IOException {
        if (type.equals("gpt2")) {
            Gpt2LMHeadModel model = Gpt2LMHeadModel.build(
                    Gpt2Config.fromJson(dir.configJson(), dir.path() + "/config.json"), manager);
            model.loadStateDict(Gpt2Checkpoints.huggingFace(dir.tensors()), true);
            LOG.info("loaded GPT-2 base from {}", dir.path());
            LoraInjector.inject(model, spec);
            return model;
        }
        var tensors = PeftAdapter.read(storage, adapterDir, spec.enableLora()).tensors();
        PeftAdapter.Tensor head = tensors.containsKey("classifier.weight") ? tensors.get("classifier.weight")
                : tensors.get("classifier.out_proj.weight");
        if (head == null) {
            throw new IllegalArgumentException(adapterDir + ": a " + type + " adapter must save its classifier "
                    + "(modules_to_save), which gives the number of labels");
        }
        ModelSpec model = new ModelSpec(ModelSpec.Family.parse(type), dir.configJson(), spec, (int) head.shape()[0], 0f);
        LOG.info("loaded {} base from {} with a {}-label head", type, dir.path(), head.shape()[0]);
        return model.build(dir.tensors(), manager, false).module();
    }

    private static String strip(String dir) {
        return dir.endsWith("/") && dir.length() > 1 ? dir.substring(0, dir.length() - 1) : dir;
    }
}
