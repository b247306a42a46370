package io.facex.backbone.hrnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Handle bookkeeping shared by the blocks that pass lists of branch maps around. */
final class Lists {

    private Lists() {
    }

    /**
     * Closes our handles on the arrays of {@code done} that {@code next} does not pass on, so a forward
     * frees its intermediates as it goes (autograd keeps what backward needs on its own).
     */
    static void release(NDList done, NDList next) {
        for (NDArray a : done) {
            if (!contains(next, a)) {
                a.close();
            }
        }
    }

    static boolean contains(NDList list, NDArray a) {
        for (NDArray b : list) {
            if (a == b) {
                return true;
            }
        }
        return false;
    }
}
