package io.dfq.actors;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;

/**
 * What a cluster node is made of besides its role, as one value that the coordinator's and the
 * workers' bootstraps both take.
 *
 * @param config the node's configuration, from {@link ClusterConfig#node}
 * @param slots the worker slots this node offers (none on a coordinator that only coordinates)
 * @param artifactRoot this node's artifact store: what it serves to, and caches from, the others
 * @param runners the trial runner of each slot
 */
public record NodeSetup(Config config, List<Slot> slots, Path artifactRoot, WorkerNode.Runners runners) {

    public NodeSetup {
        slots = List.copyOf(slots);
    }
}
