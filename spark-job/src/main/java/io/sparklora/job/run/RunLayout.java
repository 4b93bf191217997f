package io.sparklora.job.run;

/** Where a run writes, under the job's output path. */
public record RunLayout(String output, String runId, String task) {
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

    /** Adapters of this run's task; the run id keeps scheduled reruns apart. */
    public String adapters() {
        return runDir() + "/adapters/" + task;
    }

    public String metrics() {
        return output + "/metrics";
    }

    public String predictions() {
        return runDir() + "/predictions";
    }
}
