// The offline page's viewer (src/export/html.rs puts it in the page): the head from the
// page's own base64 .glb, orbit and zoom, a time slider over the material variants
// (KHR_materials_variants), and a Before button that shows the untreated head while held.
// Nothing is fetched: the model is in the page, textures are decoded from blob: URLs.
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

function bytesOf(base64) {
  const text = atob(base64.trim());
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out.buffer;
}

function fail(message) {
  const p = document.createElement('p');
  p.style.cssText = 'position:absolute;top:40%;width:100%;text-align:center';
  p.textContent = message;
  document.body.appendChild(p);
  document.body.dataset.state = 'error';
}

const holder = document.getElementById('view');
let renderer;
try {
  renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
} catch (e) {
  fail('This browser cannot show 3D (WebGL is off).');
}

if (renderer) {
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  holder.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x202326);
  // A consultation room: a soft key from above the front, a fill, and sky/floor light.
  scene.add(new THREE.HemisphereLight(0xf4f1ea, 0x4a4038, 1.2));
  const key = new THREE.DirectionalLight(0xffffff, 2.0);
  key.position.set(0.4, 1.0, 0.8);
  scene.add(key);
  const fill = new THREE.DirectionalLight(0xffffff, 0.6);
  fill.position.set(-0.8, 0.3, -0.4);
  scene.add(fill);
  const camera = new THREE.PerspectiveCamera(30, 1, 0.01, 10);
  const controls = new OrbitControls(camera, renderer.domElement);
  const draw = () => renderer.render(scene, camera);
  controls.addEventListener('change', draw);
  const resize = () => {
    const w = holder.clientWidth || window.innerWidth, h = holder.clientHeight || window.innerHeight;
    renderer.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    draw();
  };
  window.addEventListener('resize', resize);

  const source = document.getElementById('head');
  const start = parseInt(source.dataset.start || '0', 10);
  new GLTFLoader().parse(bytesOf(source.textContent), '', async (gltf) => {
    const json = gltf.parser.json;
    const variants = ((json.extensions || {}).KHR_materials_variants || {}).variants || [];
    const prim = json.meshes[0].primitives[0];
    const mappings = ((prim.extensions || {}).KHR_materials_variants || {}).mappings || [];
    const materialOf = variants.map((_, v) => {
      const m = mappings.find((m) => m.variants.includes(v));
      return m ? m.material : prim.material;
    });
    const materials = await Promise.all(materialOf.map((i) => gltf.parser.getDependency('material', i)));
    let mesh;
    gltf.scene.traverse((o) => { if (o.isMesh) mesh = o; });
    scene.add(gltf.scene);
    // Frame the head from the front, a little above: the scalp is what the client looks at.
    const box = new THREE.Box3().setFromObject(gltf.scene);
    const centre = box.getCenter(new THREE.Vector3());
    const radius = box.getSize(new THREE.Vector3()).length() / 2;
    const distance = radius / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2)) * 0.95;
    camera.position.copy(centre).add(new THREE.Vector3(0.35, 0.55, 0.76).normalize().multiplyScalar(distance));
    camera.near = distance / 100;
    camera.far = distance * 10;
    controls.target.copy(centre);
    controls.minDistance = radius * 0.05;
    controls.maxDistance = distance * 3;
    controls.update();

    const slider = document.getElementById('time');
    const when = document.getElementById('when');
    const before = document.getElementById('before');
    const untreated = Math.max(0, variants.findIndex((v) => v.name === 'untreated'));
    slider.max = String(Math.max(0, variants.length - 1));
    let holding = false;
    const show = () => {
      const v = holding ? untreated : parseInt(slider.value, 10);
      if (materials[v]) mesh.material = materials[v];
      when.textContent = variants[v] ? variants[v].name : '';
      before.classList.toggle('on', holding);
      document.body.dataset.shown = when.textContent;
      draw();
    };
    slider.addEventListener('input', show);
    const hold = (on) => () => { holding = on; show(); };
    before.addEventListener('pointerdown', hold(true));
    for (const e of ['pointerup', 'pointerleave', 'pointercancel']) before.addEventListener(e, hold(false));
    window.addEventListener('keydown', (e) => { if (e.key === 'b') hold(true)(); });
    window.addEventListener('keyup', (e) => { if (e.key === 'b') hold(false)(); });
    // #t=NAME or #t=INDEX moves the slider there, as a hand would (links, and the tests).
    const fromHash = () => {
      const m = /t=([^&]+)/.exec(decodeURIComponent(location.hash));
      if (!m) return;
      const byName = variants.findIndex((v) => v.name === m[1]);
      const k = byName >= 0 ? byName : parseInt(m[1], 10);
      if (k >= 0 && k < variants.length) {
        slider.value = String(k);
        slider.dispatchEvent(new Event('input'));
      }
    };
    window.addEventListener('hashchange', fromHash);
    slider.value = String(Math.min(start, variants.length - 1));
    resize();
    show();
    fromHash();
    document.body.dataset.state = 'ready';
  }, (e) => fail('The head could not be read: ' + e));
}
