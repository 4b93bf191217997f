#!/usr/bin/env bash
# Runs a sparklora command on a Spark cluster the way spark-submit does: Spark's own SparkSubmit (from the
# project's Maven jars, see scripts/cluster-env.sh) starts the driver in this JVM (client mode) or on the
# cluster (--deploy-mode cluster), executors run in the cluster's JVMs, and the job jar plus its runtime
# dependencies go with --jars (not Spark's own jars, which every Spark installation has).
#
#   scripts/submit.sh [--master URL] [SPARK-SUBMIT OPTIONS...] -- <sparklora command and options>
#
# --master defaults to the cluster of scripts/cluster-start.sh (work/cluster/cluster.env). Any other
# spark-submit option passes through: --driver-memory 4g, --executor-memory 2g, --conf k=v,
# --properties-file conf/spark-defaults.yarn.conf, --deploy-mode cluster, --verbose ...
# Defaults come from work/cluster/spark-home/conf/spark-defaults.conf (written by cluster-start.sh from
# conf/spark-defaults.standalone.conf). Examples:
#   scripts/submit.sh -- prepare --task sst2 --input data/glue/SST-2 -o out/prepared
#   scripts/submit.sh --master yarn --properties-file conf/spark-defaults.yarn.conf -- train job.conf
# Set SPARKLORA_SUBMIT_DRY_RUN=1 to print the java command instead of running it.
set -euo pipefail
source "$(dirname "$0")/cluster-env.sh"

submit_args=()
master=""
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break;;
    --master) master="${2:?--master needs a URL}"; shift 2;;
    --master=*) master="${1#--master=}"; shift;;
    -h|--help) sl_usage; exit 0;;
    *) submit_args+=("$1"); shift;;
  esac
done
[ $# -gt 0 ] || sl_die "no sparklora command after '--' (e.g. scripts/submit.sh -- prepare --help)"

if [ -z "$master" ]; then
  [ -f "$SL_CLUSTER/cluster.env" ] \
    || sl_die "no --master and no local cluster (start one with scripts/cluster-start.sh)"
  master="$(sed -n 's/^MASTER_URL=//p' "$SL_CLUSTER/cluster.env")"
fi

sl_ensure_built
sl_ensure_spark_home

# --jars: the job's runtime class path minus what every Spark installation already has on its class path.
# The driver serves them and every executor copies them (~150 MB) as on a real cluster. (local: URIs, for
# jars already on every node, measured no faster on the one-machine cluster: executors copy those too.)
jars=()
while IFS= read -r jar; do
  [ -n "$jar" ] || continue
  [ -e "$SL_SPARK_HOME/jars/$(basename "$jar")" ] || jars+=("$jar")
done < <(tr ':' '\n' < "$SL_RUNTIME_CP")
jar_list="$(IFS=,; echo "${jars[*]}")"

# conf/jvm.args for the driver JVM whatever --properties-file says (SPARK_SUBMIT_OPTS, as with
# bin/spark-submit); the launcher adds spark.driver.extraJavaOptions and spark.driver.memory on top.
export SPARK_HOME="$SL_SPARK_HOME"
export SPARK_SUBMIT_OPTS="$(sl_jvm_flags) -Dlog4j2.configurationFile=$SL_SPARK_HOME/conf/log4j2.properties ${SPARK_SUBMIT_OPTS:-}"
case "$master" in spark://127.0.0.1:*|local*) export SPARK_LOCAL_IP=127.0.0.1;; esac

sl_build_command org.apache.spark.deploy.SparkSubmit \
  --master "$master" \
  --class io.sparklora.job.cli.SparkloraCli \
  --name "sparklora-$1" \
  --jars "$jar_list" \
  ${submit_args[@]+"${submit_args[@]}"} \
  "$SL_JOB_JAR" "$@"
if [ "${SPARKLORA_SUBMIT_DRY_RUN:-}" = 1 ]; then
  printf '%q ' "${SL_CMD[@]}"; echo
  exit 0
fi
exec "${SL_CMD[@]}"
