package io.dfq.actors;

import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Keeps a worker machine in the cluster across coordinators. A node that leaves the cluster cannot
 * join it again (Pekko needs a new actor system for that), and a {@link WorkerNode} leaves on
 * purpose when it was downed or has seen no coordinator for a while; so {@link #run()} starts a
 * new node each time the last one terminated, which joins the seed nodes anew and waits there for
 * the next coordinator. Only {@link #close()} or the JVM's shutdown (Pekko's shutdown hook leaves
 * the cluster gracefully) ends the loop.
 */
public final class WorkerLoop implements AutoCloseable {

    private final NodeSetup node;
    private final Consumer<ActorSystem<WorkerNode.Command>> onStart;
    private volatile boolean closed;
    private volatile ActorSystem<WorkerNode.Command> current;

    /** A loop over nodes made from {@code node}; {@code onStart} sees each new node (to print its address). */
    public WorkerLoop(NodeSetup node, Consumer<ActorSystem<WorkerNode.Command>> onStart) {
        this.node = node;
        this.onStart = onStart;
    }

    /** Runs nodes one after the other on the calling thread until {@link #close()} or JVM exit. */
    public void run() {
        while (!closed) {
            ActorSystem<WorkerNode.Command> system = WorkerNode.start(node);
            current = system;
            if (closed) {
                system.terminate();
            }
            onStart.accept(system);
            system.getWhenTerminated().toCompletableFuture().join();
            boolean jvmExit = CoordinatedShutdown.get(system).getShutdownReason()
                    .filter(reason -> reason.equals(CoordinatedShutdown.jvmExitReason()))
                    .isPresent();
            if (jvmExit) {
                return;
            }
        }
    }

    /** Ends the loop: the current node leaves the cluster and no new one is started. */
    @Override
    public void close() {
        closed = true;
        ActorSystem<WorkerNode.Command> system = current;
        if (system != null) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }
}
