@CSW-SOC-3
Feature: No rankings built on likes
  No screen of the social app ranks the child, friends or posts by the likes,
  votes or views they drew, whatever the screen is called: a list in falling
  order of likes is a ranking even when it hides the numbers.

  Scenario: No screen ranks accounts or posts by likes
    Given a watch bound to its guardian
    And the child and two friends have posts with different numbers of likes, an older post having more likes than a newer one
    Then no screen of the social app ranks accounts or posts by likes
