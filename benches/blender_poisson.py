"""The peer of `scalp bench`'s generation figure: Blender's Geometry Nodes "Distribute Points on
Faces" (Poisson Disk) on the same head, timed around the node tree's evaluation only.

Run by benches/peer.sh: blender -b --factory-startup --python benches/blender_poisson.py -- HEAD.obj N ALPHA
Prints one line: `blender_points=<count> blender_s=<seconds> blender_points_per_s=<rate>`.
The minimum distance is ALPHA × the mean spacing √(area/N), as scalp's `dots.spacing`; the
candidate density is tuned by one trial run so the result lands near N points.
"""
import sys
import time

import bpy

argv = sys.argv[sys.argv.index("--") + 1:]
obj_path, target, alpha = argv[0], int(argv[1]), float(argv[2])

bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.wm.obj_import(filepath=obj_path)
obj = bpy.context.selected_objects[0]
area = sum(p.area for p in obj.data.polygons)

tree = bpy.data.node_groups.new("poisson", "GeometryNodeTree")
tree.inputs.new("NodeSocketGeometry", "Geometry")
tree.outputs.new("NodeSocketGeometry", "Geometry")
n_in = tree.nodes.new("NodeGroupInput")
n_out = tree.nodes.new("NodeGroupOutput")
dist = tree.nodes.new("GeometryNodeDistributePointsOnFaces")
dist.distribute_method = "POISSON"
# Points to Vertices makes the result a mesh whose vertices can be counted.
to_verts = tree.nodes.new("GeometryNodePointsToVertices")
tree.links.new(n_in.outputs[0], dist.inputs["Mesh"])
tree.links.new(dist.outputs["Points"], to_verts.inputs["Points"])
tree.links.new(to_verts.outputs["Mesh"], n_out.inputs[0])
mod = obj.modifiers.new("poisson", "NODES")
mod.node_group = tree

spacing = (area / target) ** 0.5
dist.inputs["Distance Min"].default_value = alpha * spacing


def run(density, seed):
    dist.inputs["Density Max"].default_value = density
    dist.inputs["Seed"].default_value = seed
    t0 = time.perf_counter()
    dg = bpy.context.evaluated_depsgraph_get()
    dg.update()
    ev = obj.evaluated_get(dg)
    count = len(ev.data.vertices)
    return count, time.perf_counter() - t0


density = 2.4 * target / area
count, _ = run(density, 1)
density *= target / max(count, 1)
count, seconds = run(density, 2)
print(f"blender_points={count} blender_s={seconds:.3f} blender_points_per_s={count / seconds:.4g}")
