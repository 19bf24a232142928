//! Vector fields, viewed in place.

use std::fmt;

use flatbuffers::Vector;

use crate::decode::verify::DecodeElement;

/// A vector field, viewed in place: `len`, `get`, `iter`, `for x in v`.
pub struct VectorView<'a, T: DecodeElement> {
    vector: Option<Vector<'a, T::Fb<'a>>>,
}

impl<'a, T: DecodeElement> VectorView<'a, T> {
    /// A view of `vector` (`None`: absent, viewed as empty). A `Vector` is
    /// only had by following a verified offset (or with `unsafe`), so the
    /// view reads only verified elements.
    #[inline]
    pub(crate) fn new(vector: Option<Vector<'a, T::Fb<'a>>>) -> Self {
        VectorView { vector }
    }
}

impl<'a, T: DecodeElement> Clone for VectorView<'a, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<'a, T: DecodeElement> Copy for VectorView<'a, T> {}

impl<'a, T: DecodeElement> VectorView<'a, T> {
    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.vector.map_or(0, |v| v.len())
    }
    /// Whether there are no elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Element `index`, `None` past the end.
    #[inline]
    pub fn get(&self, index: usize) -> Option<T::ElemView<'a>> {
        let v = self.vector?;
        (index < v.len()).then(|| T::elem_view(v.get(index)))
    }
    /// The elements in order.
    #[inline]
    pub fn iter(&self) -> VectorIter<'a, T> {
        VectorIter { view: *self, next: 0 }
    }
}

impl<'a, T: DecodeElement> IntoIterator for VectorView<'a, T> {
    type Item = T::ElemView<'a>;
    type IntoIter = VectorIter<'a, T>;
    #[inline]
    fn into_iter(self) -> VectorIter<'a, T> {
        self.iter()
    }
}

/// Iterator over a [`VectorView`].
pub struct VectorIter<'a, T: DecodeElement> {
    view: VectorView<'a, T>,
    next: usize,
}

impl<'a, T: DecodeElement> Iterator for VectorIter<'a, T> {
    type Item = T::ElemView<'a>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let item = self.view.get(self.next)?;
        self.next += 1;
        Some(item)
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.view.len() - self.next.min(self.view.len());
        (left, Some(left))
    }
}

impl<T: DecodeElement> ExactSizeIterator for VectorIter<'_, T> {}

impl<T: DecodeElement> fmt::Debug for VectorView<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The view of a vector field (`None`: absent), for generated
/// `DecodeElement::vec_view`s: a `Vector` is only had by following a
/// verified offset, or with `unsafe`.
#[inline]
pub fn vector_view<'a, T: DecodeElement>(vector: Option<Vector<'a, T::Fb<'a>>>) -> VectorView<'a, T> {
    VectorView::new(vector)
}
