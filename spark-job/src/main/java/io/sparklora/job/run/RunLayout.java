package io.sparklora.job.run;

/** Where a run writes, under the job's output path. */
public record RunLayout(String output, String runId) {
    public String runDir() {
        return output + "/runs/" + runId;
    }

    public String configFile() {
        return runDir() + "/config.conf";
    }

    public String success() {
        return runDir() + "/_SUCCESS";
    }

    public String summary() {
        return runDir() + "/summary.json";
    }

    /** Checkpoints and the final version of one adapter; the run id keeps scheduled reruns apart. */
    public String adapters(String adapter) {
        return runDir() + "/adapters/" + adapter;
    }

    public String metrics() {
        return output + "/metrics";
    }

    public String predictions() {
        return runDir() + "/predictions";
    }
}
