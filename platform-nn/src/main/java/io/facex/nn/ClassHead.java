package io.facex.nn;

import io.facex.api.AbstractPlugin;
import io.facex.api.Head;
import io.facex.api.HeadSize;
import io.facex.api.InvalidConfigException;

import java.util.Optional;

/**
 * The plugin side every class-matrix head shares: FaceX-Zoo's {@code head_conf.yaml} sections state
 * {@code feat_dim} and {@code num_class}, which are checked here and reported to the platform (it compares
 * them with the backbone and the data); a head checks only its own keys, in {@link #check}.
 *
 * @param <C> the head's configuration, a record with {@code featDim} and {@code numClass} components
 */
public abstract class ClassHead<C extends ClassHead.Sized> extends AbstractPlugin<C> implements Head<C> {

    /** A configuration that states its sizes (FaceX-Zoo's {@code feat_dim}, {@code num_class}). */
    public interface Sized {
        int featDim();

        int numClass();
    }

    protected ClassHead(String name, String description, Class<C> type, C defaults) {
        super(name, description, type, defaults);
    }

    @Override
    public final void validate(C c) {
        CosineClassifier.validateSize(c.featDim(), c.numClass());
        check(c);
    }

    /** The head's own keys; throw {@link InvalidConfigException} naming the key. */
    protected abstract void check(C c);

    @Override
    public Optional<HeadSize> declaredSize(C c) {
        return Optional.of(new HeadSize(c.featDim(), c.numClass()));
    }

    /** An angle in [0, π) (an additive angular margin). */
    public static void angle(String key, double value) {
        if (!(value >= 0 && value < Math.PI)) {
            throw new InvalidConfigException(key, "must be in [0, π), got " + value);
        }
    }

    /** A value in [0, max) or [0, max] (a cosine margin). */
    public static void inRange(String key, double value, double max, boolean maxIncluded) {
        if (!(value >= 0 && (maxIncluded ? value <= max : value < max))) {
            throw new InvalidConfigException(key, "must be in [0, " + fmt(max) + (maxIncluded ? "]" : ")") + ", got " + value);
        }
    }

    /** Non-negative and finite (a loss weight). */
    public static void nonNegative(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidConfigException(key, "must be non-negative and finite, got " + value);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
