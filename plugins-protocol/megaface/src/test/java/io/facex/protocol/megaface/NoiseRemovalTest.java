package io.facex.protocol.megaface;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NoiseRemovalTest {

    @Test
    void keysAreFaceXZoos() {
        assertEquals("Adam_Brody_277.jpg", NoiseRemoval.facescrubKey("Adam_Brody/Adam_Brody_277.png"));
        assertEquals("Adam_Brody", NoiseRemoval.facescrubFolder("Adam_Brody/Adam_Brody_277.png"));
        assertEquals("924/92491355@N00/6184773290_0.jpg", NoiseRemoval.megafaceKey("924/92491355@N00/6184773290_0.jpg"));
        assertEquals("b/c/d.jpg", NoiseRemoval.megafaceKey("a/b/c/d.png"));
    }

    @Test
    void aNoisyFacescrubImageBecomesItsFoldersCleanCentre() {
        List<String> paths = List.of("A/A_1.jpg", "A/A_2.jpg", "A/A_3.jpg", "B/B_1.jpg", "B/B_2.png");
        float[][] f = {
            {1, 0, 0}, {0, 0, 1}, {0, 1, 0},
            {0, 0, 1}, {1, 1, 1},
        };
        float[] b2 = f[4];
        // B_2 is listed as .jpg and matched although its path says .png, as FaceX-Zoo compares <npy name>.jpg
        int n = NoiseRemoval.replaceFacescrubNoises(paths, f, Set.of("A_2.jpg", "B_2.jpg"));
        assertEquals(2, n);
        float h = (float) (1 / Math.sqrt(2));
        // A's centre: (1,0,0) + (0,1,0), normalised; the noisy (0,0,1) takes no part in it
        assertArrayEquals(new float[] {h, h, 0}, f[1], 1e-7f);
        assertArrayEquals(new float[] {0, 0, 1}, f[4]);
        assertArrayEquals(new float[] {1, 0, 0}, f[0]);
        assertArrayEquals(new float[] {1, 1, 1}, b2, "the caller's arrays are never written");
    }

    @Test
    void theFolderNotTheIdNamesTheIdentity() {
        // the same file name in two folders: both are noise (FaceX-Zoo matches file names only)
        List<String> paths = List.of("A/x_1.jpg", "A/A_2.jpg", "B/x_1.jpg", "B/B_2.jpg");
        float[][] f = {{1, 0}, {0, 1}, {1, 0}, {-1, 0}};
        NoiseRemoval.replaceFacescrubNoises(paths, f, Set.of("x_1.jpg"));
        assertArrayEquals(new float[] {0, 1}, f[0]);
        assertArrayEquals(new float[] {-1, 0}, f[2]);
    }

    @Test
    void missingFeaturesStayMissingAndAnAllNoisyIdentityLosesItsFeatures() {
        List<String> paths = List.of("A/A_1.jpg", "A/A_2.jpg", "B/B_1.jpg", "C/C_1.jpg");
        float[][] f = {{1, 0}, null, {0, 1}, {1, 0}};
        int n = NoiseRemoval.replaceFacescrubNoises(paths, f, Set.of("A_2.jpg", "B_1.jpg"));
        assertEquals(0, n);
        assertNull(f[1]);
        assertNull(f[2], "no clean feature of B to take a centre from");
        assertArrayEquals(new float[] {1, 0}, f[3]);
    }

    @Test
    void noisyDistractorsBecomeZeroVectors() {
        List<String> paths = List.of("1/a/x.jpg", "1/a/y.jpg", "2/b/z.jpg");
        float[][] f = {{1, 2}, {3, 4}, null};
        float[] kept = f[1];
        int n = NoiseRemoval.zeroMegafaceNoises(paths, f, Set.of("1/a/x.jpg", "2/b/z.jpg"));
        assertEquals(1, n);
        assertArrayEquals(new float[] {0, 0}, f[0]);
        assertSame(kept, f[1]);
        assertNull(f[2]);
    }
}
