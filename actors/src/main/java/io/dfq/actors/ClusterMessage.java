package io.dfq.actors;

/**
 * Marks the messages that travel between cluster nodes. {@code dfq-cluster.conf} binds this one
 * interface to Jackson CBOR and Java serialization stays off, so a node deserializes our message
 * types and nothing else: a marker rather than per-class bindings, so that a new remote message
 * cannot be forgotten in the configuration, and local-only messages (which may carry throwables
 * or callbacks) never implement it.
 */
public interface ClusterMessage {}
