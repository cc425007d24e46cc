package io.dfq.quant.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Base of every block in the model zoo: parameters get explicit shapes and seeded initializers at
 * construction, so initialization needs no shape inference, and the forward pass is a plain
 * {@link #apply(NDArray, boolean)} that reads parameter arrays directly (one device, no parameter
 * store copies).
 */
public abstract class Unit extends AbstractBlock {

    protected Unit() {
        super((byte) 1);
    }

    /** The forward pass; {@code training} switches BatchNorm to batch statistics. */
    public abstract NDArray apply(NDArray x, boolean training);

    /** The output shape for an input shape (N, ...). */
    public abstract Shape outputShape(Shape input);

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {outputShape(inputShapes[0])};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }
}
