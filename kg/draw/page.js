(function(){
  var svg=document.querySelector('svg.kg');if(!svg)return;
  function marks(id){return svg.querySelectorAll('[data-node="'+CSS.escape(id)+'"],[data-ends~="'+CSS.escape(id)+'"]');}
  function focus(id){
    svg.classList.add('focus');
    marks(id).forEach(function(e){e.classList.add('on');
      (e.getAttribute('data-ends')||'').split(' ').forEach(function(o){
        if(o)svg.querySelectorAll('[data-node="'+CSS.escape(o)+'"]').forEach(function(n){n.classList.add('on');});});});
  }
  function blur(){svg.classList.remove('focus');svg.querySelectorAll('.on').forEach(function(e){e.classList.remove('on');});}
  svg.querySelectorAll('[data-node]').forEach(function(e){
    e.addEventListener('mouseenter',function(){focus(e.getAttribute('data-node'));});
    e.addEventListener('mouseleave',blur);});
  var box=document.getElementById('filter');
  if(box)box.addEventListener('input',function(){
    var q=box.value.trim().toLowerCase();
    svg.querySelectorAll('[data-label]').forEach(function(e){
      var hit=!q||e.getAttribute('data-label').toLowerCase().indexOf(q)>=0;
      e.classList.toggle('hidden',!hit);});
  });
})();
