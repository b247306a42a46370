package io.facex.nn;

import java.util.List;

/**
 * {@code torch.optim.lr_scheduler.MultiStepLR} stepped once per epoch, as FaceX-Zoo uses it:
 * lr(epoch) = base · γ^(number of milestones ≤ epoch).
 */
public record MultiStepLr(double base, List<Integer> milestones, double gamma) {

    public double at(int epoch) {
        long passed = milestones.stream().filter(m -> m <= epoch).count();
        return base * Math.pow(gamma, passed);
    }
}
