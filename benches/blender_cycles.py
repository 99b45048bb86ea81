"""The peer of `scalp bench`'s frame figure: Blender Cycles drawing the same head with the same
number of spaced points, one sample a pixel, timed around the render only.

Run by benches/peer.sh: blender -b --factory-startup --python benches/blender_cycles.py -- \
    HEAD.obj N ALPHA WIDTH HEIGHT
Prints one line: `cycles_points=<count> cycles_s=<seconds> cycles_first_s=<seconds>`.

The points are Blender's own Poisson-disk distribution at N (as blender_poisson.py), drawn as a
point cloud of 0.45 mm spheres in a dark material on a skin-coloured head, under a sun and a grey
sky, seen from a three-quarter view. The distribution is evaluated before the clock starts;
the render is run twice and the second timed (the first also loads Cycles' kernels and builds
its scene); both are printed. Denoising off, 1 sample, all CPU threads.
"""
import math
import os
import sys
import time

import bpy
from mathutils import Vector

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blender_head import calibrated, load_head, poisson_tree  # noqa: E402

argv = sys.argv[sys.argv.index("--") + 1:]
obj_path, target, alpha = argv[0], int(argv[1]), float(argv[2])
width, height = int(argv[3]), int(argv[4])

head, area = load_head(obj_path)


def material(name, rgb):
    m = bpy.data.materials.new(name)
    m.use_nodes = True
    bsdf = m.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*rgb, 1.0)
    bsdf.inputs["Roughness"].default_value = 0.5
    return m


skin = material("skin", (0.62, 0.42, 0.33))
ink = material("ink", (0.03, 0.035, 0.04))
head.data.materials.append(skin)

# The head joined with its Poisson points as a point cloud of dark spheres.
tree, n_in, n_out, dist = poisson_tree(head, area, target, alpha)
radius = tree.nodes.new("GeometryNodeSetPointRadius")
radius.inputs["Radius"].default_value = 0.45
set_mat = tree.nodes.new("GeometryNodeSetMaterial")
set_mat.inputs["Material"].default_value = ink
join = tree.nodes.new("GeometryNodeJoinGeometry")
tree.links.new(dist.outputs["Points"], radius.inputs["Points"])
tree.links.new(radius.outputs["Points"], set_mat.inputs["Geometry"])
tree.links.new(set_mat.outputs["Geometry"], join.inputs["Geometry"])
tree.links.new(n_in.outputs[0], join.inputs["Geometry"])
tree.links.new(join.outputs["Geometry"], n_out.inputs[0])


def points(density, seed):
    dist.inputs["Density Max"].default_value = density
    dist.inputs["Seed"].default_value = seed
    dg = bpy.context.evaluated_depsgraph_get()
    dg.update()
    # The points come out as a point cloud instanced beside the head's mesh.
    return (
        sum(
            len(inst.object.data.points)
            for inst in dg.object_instances
            if isinstance(inst.object.data, bpy.types.PointCloud)
        ),
    )


(count,) = calibrated(points, target, area)

# A three-quarter view framing the head, a sun from the upper front, a grey sky.
lo = Vector([min(v.co[i] for v in head.data.vertices) for i in range(3)])
hi = Vector([max(v.co[i] for v in head.data.vertices) for i in range(3)])
centre = (lo + hi) / 2
size = (hi - lo).length
cam_data = bpy.data.cameras.new("camera")
cam_data.lens = 50
cam_data.clip_end = 100 * size
cam = bpy.data.objects.new("camera", cam_data)
bpy.context.scene.collection.objects.link(cam)
# OBJ import turns scalp's y-up into Blender's z-up: look from the front-right, a bit above.
direction = Vector((math.sin(math.radians(35)), -math.cos(math.radians(35)), 0.35)).normalized()
cam.location = centre + direction * size * 1.5
cam.rotation_euler = (centre - cam.location).to_track_quat("-Z", "Y").to_euler()
bpy.context.scene.camera = cam
sun_data = bpy.data.lights.new("sun", "SUN")
sun_data.energy = 3.0
sun = bpy.data.objects.new("sun", sun_data)
sun.rotation_euler = (math.radians(40), 0, math.radians(30))
bpy.context.scene.collection.objects.link(sun)
world = bpy.data.worlds.new("world")
world.use_nodes = True
world.node_tree.nodes["Background"].inputs["Color"].default_value = (0.3, 0.3, 0.32, 1.0)
bpy.context.scene.world = world

scene = bpy.context.scene
scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = 1
scene.cycles.use_adaptive_sampling = False
scene.cycles.use_denoising = False
scene.render.resolution_x = width
scene.render.resolution_y = height
scene.render.resolution_percentage = 100
scene.render.threads_mode = "AUTO"
scene.render.filepath = "/tmp/scalp-peer-cycles.png"

times = []
for _ in range(2):
    t0 = time.perf_counter()
    bpy.ops.render.render(write_still=True)
    times.append(time.perf_counter() - t0)
print(f"cycles_points={count} cycles_s={times[1]:.3f} cycles_first_s={times[0]:.3f}")
