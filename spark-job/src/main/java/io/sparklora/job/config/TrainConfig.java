package io.sparklora.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.sparklora.job.cli.ExitCodes.BadConfigException;
import io.sparklora.job.train.TrainSettings;
import io.sparklora.model.lora.Bias;
import io.sparklora.model.lora.LoraSpec;
import io.sparklora.model.task.ModelSpec;

import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A job configuration: HOCON under {@code sparklora { ... }}, with the defaults of
 * {@code sparklora-defaults.conf} and overrides from the command line. Everything is checked here,
 * before any Spark job starts; an error names the key.
 */
public final class TrainConfig {
    private static final String ROOT = "sparklora";
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|passwd|token|credential|access[.-]?key).*");
    /** Maps whose keys are free (module patterns), so they are not checked against the defaults. */
    private static final List<String> FREE_MAPS = List.of("lora.rank-pattern", "lora.alpha-pattern", "lora.enable-lora");

    private final Config config;

    private TrainConfig(Config config) {
        this.config = config;
    }

    /**
     * @param file a HOCON file, or null for the defaults alone
     * @param overrides {@code key=value} pairs (keys relative to {@code sparklora}, e.g. {@code train.lr=1e-4})
     */
    public static TrainConfig load(File file, List<String> overrides) {
        Config defaults = ConfigFactory.parseResources(TrainConfig.class, "/sparklora-defaults.conf");
        Config user = ConfigFactory.empty();
        if (file != null) {
            if (!file.isFile()) {
                throw new BadConfigException("config file " + file + " does not exist");
            }
            try {
                user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new BadConfigException("config file " + file + ": " + e.getMessage());
            }
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new BadConfigException("override '" + o + "' must look like key=value (e.g. train.lr=1e-4)");
            }
            String key = o.substring(0, eq).trim();
            String value = o.substring(eq + 1).trim();
            String path = key.startsWith(ROOT + ".") ? key : ROOT + "." + key;
            try {
                Config parsed = ConfigFactory.parseString("v = " + value, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF));
                user = ConfigFactory.empty().withValue(path, parsed.getValue("v")).withFallback(user);
            } catch (ConfigException e) {
                user = ConfigFactory.empty().withValue(path, ConfigValueFactory.fromAnyRef(value)).withFallback(user);
            }
        }
        checkKnownKeys(user, defaults);
        TrainConfig c = new TrainConfig(user.withFallback(defaults).resolve());
        c.validate();
        return c;
    }

    private static void checkKnownKeys(Config user, Config defaults) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(ROOT + ".")) {
                throw new BadConfigException("unknown config key '" + key + "': settings go under 'sparklora { ... }'");
            }
            String rel = key.substring(ROOT.length() + 1);
            if (FREE_MAPS.stream().anyMatch(m -> rel.startsWith(m + "."))) {
                continue;
            }
            if (!defaults.hasPathOrNull(key)) {
                throw new BadConfigException("unknown config key '" + key + "' (see sparklora-defaults.conf for every key)");
            }
        }
    }

    /** Keys that belong to the whole job, so a {@code tasks} entry may not set them. */
    private static final List<String> JOB_KEYS = List.of("run-id", "output", "data.partitions", "tasks");

    private void validate() {
        runId();
        string("output");
        positive("data.partitions", 0);
        List<TrainConfig> adapters = adapters();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < adapters.size(); i++) {
            TrainConfig a = adapters.get(i);
            try {
                a.validateAdapter();
            } catch (BadConfigException e) {
                throw adapters.size() == 1 && a == this ? e
                        : new BadConfigException(key("tasks") + "[" + i + "]: " + e.getMessage());
            }
            if (!names.add(a.adapterName())) {
                throw new BadConfigException("two adapters are named '" + a.adapterName()
                        + "': give one of them another 'adapter' name in " + key("tasks"));
            }
        }
    }

    /**
     * The adapters this job trains: this config alone, or one config per {@code tasks} entry (the entry's
     * keys over the job's). Each entry's keys are checked like the top level's.
     */
    public List<TrainConfig> adapters() {
        List<? extends ConfigObject> entries;
        try {
            entries = config.getObjectList(key("tasks"));
        } catch (ConfigException e) {
            throw new BadConfigException("config key '" + key("tasks") + "' must be a list of objects: " + e.getMessage());
        }
        if (entries.isEmpty()) {
            return List.of(this);
        }
        if (!config.getIsNull(key("task"))) {
            throw new BadConfigException("set either '" + key("task") + "' or '" + key("tasks") + "', not both");
        }
        Config common = config.withoutPath(key("tasks"));
        Config defaults = ConfigFactory.parseResources(TrainConfig.class, "/sparklora-defaults.conf");
        List<TrainConfig> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Config entry = entries.get(i).toConfig();
            String where = key("tasks") + "[" + i + "]";
            for (Map.Entry<String, ConfigValue> e : entry.entrySet()) {
                String rel = e.getKey();
                if (JOB_KEYS.stream().anyMatch(j -> rel.equals(j) || rel.startsWith(j + "."))) {
                    throw new BadConfigException(where + " sets '" + rel + "', which belongs to the whole job");
                }
                boolean free = FREE_MAPS.stream().anyMatch(m -> rel.startsWith(m + "."));
                if (!free && !defaults.hasPathOrNull(key(rel))) {
                    throw new BadConfigException("unknown key '" + rel + "' in " + where
                            + " (see sparklora-defaults.conf for every key)");
                }
            }
            if (!entry.hasPath("task")) {
                throw new BadConfigException(where + " must set 'task'");
            }
            out.add(new TrainConfig(entry.atPath(ROOT).withFallback(common).resolve()));
        }
        return out;
    }

    /** The adapter's name: {@code adapter}, or the task's name. */
    public String adapterName() {
        return config.getIsNull(key("adapter")) ? task() : safeName("adapter");
    }

    private void validateAdapter() {
        modelPath();
        family();
        task();
        preparedData();
        lora();
        settings(1000);
        positive("data.max-eval-examples", 0);
        positive("train.epochs", 1);
        positive("train.max-steps", 0);
        positive("train.eval-every", 0);
        positive("train.checkpoint-every", 0);
        positive("eval.batch-size", 1);
        positive("eval.beams", 1);
        positive("eval.max-new-tokens", 1);
        double ls = dbl("model.label-smoothing");
        if (!(ls >= 0 && ls < 1)) {
            throw new BadConfigException("model.label-smoothing must be in [0, 1), got " + ls);
        }
    }

    private String key(String rel) {
        return ROOT + "." + rel;
    }

    private String string(String rel) {
        String k = key(rel);
        if (config.getIsNull(k)) {
            throw new BadConfigException("config key '" + k + "' must be set");
        }
        try {
            String v = config.getString(k).trim();
            if (v.isEmpty()) {
                throw new BadConfigException("config key '" + k + "' must not be empty");
            }
            return v;
        } catch (ConfigException.WrongType e) {
            throw new BadConfigException("config key '" + k + "' must be a string: " + e.getMessage());
        }
    }

    private int integer(String rel) {
        try {
            return config.getInt(key(rel));
        } catch (ConfigException e) {
            throw new BadConfigException("config key '" + key(rel) + "' must be an integer: " + e.getMessage());
        }
    }

    private double dbl(String rel) {
        try {
            return config.getDouble(key(rel));
        } catch (ConfigException e) {
            throw new BadConfigException("config key '" + key(rel) + "' must be a number: " + e.getMessage());
        }
    }

    private int positive(String rel, int min) {
        int v = integer(rel);
        if (v < min) {
            throw new BadConfigException("config key '" + key(rel) + "' must be >= " + min + ", got " + v);
        }
        return v;
    }

    /** A name safe to use in paths: letters, digits, '.', '_' and '-', no separators or "..". */
    private String safeName(String rel) {
        String v = string(rel);
        if (!SAFE_NAME.matcher(v).matches() || v.contains("..")) {
            throw new BadConfigException("config key '" + key(rel) + "' = '" + v
                    + "' must be a plain name (letters, digits, . _ -; no path separators or '..')");
        }
        return v;
    }

    public String runId() {
        return safeName("run-id");
    }

    public String output() {
        String o = string("output");
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    public String modelPath() {
        return string("model.path");
    }

    public ModelSpec.Family family() {
        try {
            return ModelSpec.Family.parse(string("model.family"));
        } catch (IllegalArgumentException e) {
            throw new BadConfigException("config key '" + key("model.family") + "': " + e.getMessage());
        }
    }

    public float labelSmoothing() {
        return (float) dbl("model.label-smoothing");
    }

    public String task() {
        return safeName("task");
    }

    public String preparedData() {
        return string("data.prepared");
    }

    public String trainSplit() {
        return safeName("data.train-split");
    }

    public String evalSplit() {
        return safeName("data.eval-split");
    }

    public int partitions() {
        return integer("data.partitions");
    }

    public int maxEvalExamples() {
        return integer("data.max-eval-examples");
    }

    public int epochs() {
        return integer("train.epochs");
    }

    public int maxSteps() {
        return integer("train.max-steps");
    }

    public int evalEvery() {
        return integer("train.eval-every");
    }

    public int checkpointEvery() {
        return integer("train.checkpoint-every");
    }

    public int evalBatchSize() {
        return integer("eval.batch-size");
    }

    public int beams() {
        return integer("eval.beams");
    }

    public float lengthPenalty() {
        return (float) dbl("eval.length-penalty");
    }

    public int noRepeatNgramSize() {
        return integer("eval.no-repeat-ngram-size");
    }

    public int maxNewTokens() {
        return integer("eval.max-new-tokens");
    }

    /** The LoRA spec; rejects r <= 0, bad dropout, an unknown bias mode or a bad regex, naming the key. */
    public LoraSpec lora() {
        LoraSpec.Builder b = LoraSpec.builder();
        try {
            b.r(integer("lora.r")).alpha((float) dbl("lora.alpha")).dropout((float) dbl("lora.dropout"));
            String biasKey = key("lora.bias");
            try {
                b.bias(Bias.parse(config.getString(biasKey)));
            } catch (UnsupportedOperationException e) {
                throw new BadConfigException("config key '" + biasKey + "': " + e.getMessage());
            }
            if (!config.getIsNull(key("lora.target-regex"))) {
                b.targetRegex(config.getString(key("lora.target-regex")));
            } else {
                List<String> targets = config.getStringList(key("lora.target-modules"));
                b.targetModules(targets.toArray(new String[0]));
            }
            b.modulesToSave(config.getStringList(key("lora.modules-to-save")).toArray(new String[0]));
            Config rp = config.getConfig(key("lora.rank-pattern"));
            for (Map.Entry<String, ConfigValue> e : rp.root().entrySet()) {
                b.rankPattern(e.getKey(), rp.getInt(quote(e.getKey())));
            }
            Config ap = config.getConfig(key("lora.alpha-pattern"));
            for (Map.Entry<String, ConfigValue> e : ap.root().entrySet()) {
                b.alphaPattern(e.getKey(), (float) ap.getDouble(quote(e.getKey())));
            }
            Config el = config.getConfig(key("lora.enable-lora"));
            for (Map.Entry<String, ConfigValue> e : el.root().entrySet()) {
                List<Boolean> flags = el.getBooleanList(quote(e.getKey()));
                boolean[] g = new boolean[flags.size()];
                for (int i = 0; i < g.length; i++) {
                    g[i] = flags.get(i);
                }
                b.enableLora(e.getKey(), g);
            }
            return b.build();
        } catch (ConfigException e) {
            throw new BadConfigException("lora settings: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            if (e instanceof BadConfigException) {
                throw e;
            }
            throw new BadConfigException("config key '" + key("lora") + "': " + e.getMessage()
                    + " (e.g. sparklora.lora.r must be > 0)");
        }
    }

    private static String quote(String k) {
        return "\"" + k.replace("\"", "\\\"") + "\"";
    }

    /** Optimisation settings for a run of {@code totalSteps} steps. */
    public TrainSettings settings(long totalSteps) {
        int batch = positive("train.batch-size", 1);
        int micro = positive("train.micro-batch-size", 1);
        try {
            return new TrainSettings(batch, micro, config.getLong(key("train.seed")), totalSteps, dbl("train.lr"),
                    dbl("train.warmup-ratio"), (float) dbl("train.weight-decay"), dbl("train.max-grad-norm"),
                    (float) dbl("train.adam-beta1"), (float) dbl("train.adam-beta2"), (float) dbl("train.adam-eps"),
                    positive("train.log-every", 1));
        } catch (IllegalArgumentException e) {
            throw new BadConfigException("train settings: " + e.getMessage());
        }
    }

    /** The resolved configuration as HOCON, values of secret-looking keys masked. */
    public String renderMasked() {
        Config masked = config.withOnlyPath(ROOT);
        for (Map.Entry<String, ConfigValue> e : masked.entrySet()) {
            if (SECRET.matcher(e.getKey()).matches()) {
                masked = masked.withValue(e.getKey(), ConfigValueFactory.fromAnyRef("****"));
            }
        }
        return masked.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

}
