# Shared helpers for the cluster scripts (sourced, not run): a Spark "distribution" made of the project's own
# Maven dependencies, and a spark-class equivalent that asks Spark's launcher for the java command line.
#
# Why a generated SPARK_HOME: a standalone Worker starts every executor through Spark's launcher
# (WorkerCommandBuilder), which puts $SPARK_HOME/conf and $SPARK_HOME/jars/* on the executor's class path
# and fails when $SPARK_HOME/jars is missing. work/cluster/spark-home/jars holds symlinks to the jars in
# ~/.m2 that spark-core and spark-sql need (resolved by Maven from the parent pom's pinned versions), so
# master, workers, executors and spark-submit all run Spark exactly as a distribution would.

SL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SL_CLUSTER="${SPARKLORA_CLUSTER_DIR:-$SL_ROOT/work/cluster}"
SL_SPARK_HOME="$SL_CLUSTER/spark-home"
SL_JOB_JAR="$SL_ROOT/spark-job/target/spark-job-0.1.0-SNAPSHOT.jar"
SL_RUNTIME_CP="$SL_ROOT/spark-job/target/classpath-runtime.txt"
export SPARK_SCALA_VERSION=2.13   # the launcher otherwise looks for a Spark source build to guess it
sl_log() { echo "$(date +%H:%M:%S) $*" >&2; }
sl_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# Builds the project when the job jar is missing or older than a pom or a main source (as scripts/sparklora).
sl_ensure_built() {
  if [ -f "$SL_RUNTIME_CP" ] && [ -f "$SL_JOB_JAR" ] \
      && [ -z "$(find "$SL_ROOT/pom.xml" "$SL_ROOT"/*/pom.xml "$SL_ROOT"/*/src/main -newer "$SL_JOB_JAR" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  sl_log "building the project (mvn package -DskipTests) ..."
  (cd "$SL_ROOT" && mvn -B -q -ntp -DskipTests package >&2)
}

# Creates (or refreshes, when the poms changed) $SL_SPARK_HOME: RELEASE, jars/ and conf/.
sl_ensure_spark_home() {
  local stamp="$SL_SPARK_HOME/jars/.classpath"
  if [ -f "$stamp" ] && [ -z "$(find "$SL_ROOT/pom.xml" "$SL_ROOT/conf/log4j2.properties" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  sl_log "creating $SL_SPARK_HOME from the Maven dependencies of spark-core and spark-sql ..."
  local deps="$SL_CLUSTER/spark-deps"
  mkdir -p "$deps" "$SL_SPARK_HOME/conf"
  # A throw-away module whose only dependencies are Spark's, versions from the project's parent pom.
  cat > "$deps/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>io.sparklora</groupId><artifactId>sparklora-parent</artifactId><version>0.1.0-SNAPSHOT</version>
    <relativePath>$SL_ROOT/pom.xml</relativePath>
  </parent>
  <artifactId>sparklora-spark-home</artifactId>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-core_\${scala.binary.version}</artifactId></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_\${scala.binary.version}</artifactId></dependency>
  </dependencies>
</project>
POM
  local offline=""
  [ "${SPARKLORA_MVN_ONLINE:-}" = 1 ] || offline="-o"
  (cd "$deps" && mvn -B -q -ntp $offline dependency:build-classpath -Dmdep.outputFile="$deps/classpath.txt" >&2) \
    || sl_die "could not resolve Spark's jars with Maven (run 'mvn -B package' once online, or set SPARKLORA_MVN_ONLINE=1)"
  rm -rf "$SL_SPARK_HOME/jars.new" && mkdir -p "$SL_SPARK_HOME/jars.new"
  local jar
  tr ':' '\n' < "$deps/classpath.txt" | while read -r jar; do
    [ -n "$jar" ] && ln -s "$jar" "$SL_SPARK_HOME/jars.new/$(basename "$jar")"
  done
  cp "$deps/classpath.txt" "$SL_SPARK_HOME/jars.new/.classpath"
  rm -rf "$SL_SPARK_HOME/jars" && mv "$SL_SPARK_HOME/jars.new" "$SL_SPARK_HOME/jars"
  echo "Spark 4.1.1 (Scala 2.13) assembled from Maven by sparklora scripts/cluster-env.sh" > "$SL_SPARK_HOME/RELEASE"
  cp "$SL_ROOT/conf/log4j2.properties" "$SL_SPARK_HOME/conf/log4j2.properties"
  cp "$SL_ROOT/conf/jvm.args" "$SL_SPARK_HOME/conf/jvm.args"
}

# The JVM flags of conf/jvm.args on one line (comments and blank lines dropped), for *.extraJavaOptions.
sl_jvm_flags() {
  grep -v -E '^[[:space:]]*(#|$)' "$SL_ROOT/conf/jvm.args" | tr '\n' ' ' | sed 's/ *$//'
}

# Like Spark's bin/spark-class: Spark's launcher (org.apache.spark.launcher.Main) prints the java command
# for CLASS, NUL-separated and followed by its own exit code; fills the array SL_CMD with it.
sl_build_command() {
  local -a out=()
  local arg
  while IFS= read -r -d '' arg; do out+=("$arg"); done < <(
    SPARK_HOME="$SL_SPARK_HOME" java -Xmx128m -cp "$SL_SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@"
    printf '%d\0' $?)
  local rc="${out[${#out[@]}-1]}"
  unset 'out[${#out[@]}-1]'
  # Messages (usage, errors) come first; an empty field then a newline mark where the command starts.
  local i=0
  while [ "$i" -lt "${#out[@]}" ] && [ -n "${out[$i]}" ]; do echo "${out[$i]}" >&2; i=$((i + 1)); done
  [ "$rc" = 0 ] && [ "$i" -lt "${#out[@]}" ] || sl_die "Spark's launcher failed (exit $rc) for: $*"
  SL_CMD=("${out[@]:$((i + 1))}")
  SL_CMD[0]="${SL_CMD[0]#$'\n'}"
}

# A free TCP port on the loopback interface.
sl_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints the calling script's header comment (its usage text).
sl_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}
