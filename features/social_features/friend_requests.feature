@CSW-SOC-2
Feature: Friends only with the guardian's approval, no strangers from afar, and a friend cap
  A friend request, made by bumping watches nearby, waits for the guardian's
  approval; the child cannot approve it on the watch. Strangers cannot be
  added, and cannot add the child, at a distance by id or search. The child
  never has more friends than the profile's friend cap (a ceiling: a watch
  may keep a lower one), however the guardian approves, even several at once.

  Background:
    Given a watch bound to its guardian

  Scenario: A request the child makes nearby waits for the guardian
    Given a classmate "Ben" has an account on the platform
    When the child asks "Ben" to be friends nearby
    Then the watch allows it
    And "Ben" is not among the child's friends
    When the guardian approves "Ben" as a friend
    Then the watch allows it
    And "Ben" is among the child's friends in the guardian's app

  Scenario: A stranger met nearby can only ask the guardian
    Given a stranger has an account on the platform
    When the stranger asks the child to be friends nearby
    Then the stranger is not among the child's friends

  Scenario: The child cannot approve a friend on the watch
    Given a classmate "Ben" has an account on the platform
    When the child asks "Ben" to be friends nearby
    And the child tries to approve "Ben" as a friend on the watch
    Then the watch refuses
    And "Ben" is not among the child's friends

  Scenario: A stranger cannot ask the child to be friends by id
    Given a stranger has an account on the platform
    When the stranger asks the child to be friends by id
    Then the watch refuses
    And the stranger is not among the child's friends

  Scenario: The child cannot add a stranger by id
    Given a stranger has an account on the platform
    When the child asks the stranger to be friends by id
    Then the watch refuses
    And the stranger is not among the child's friends

  Scenario: A request back to a classmate who asked still waits for the guardian
    Given a classmate "Ben" has an account on the platform
    When "Ben" asks the child to be friends nearby
    And the child asks "Ben" to be friends nearby
    Then "Ben" is not among the child's friends

  Scenario: The friend cap holds even when the guardian approves
    Given the child has made friends until the watch takes no more, at most the profile's friend cap
    And a classmate "Zoe" has an account on the platform
    When "Zoe" asks the child to be friends nearby
    And the guardian approves "Zoe" as a friend
    Then the watch refuses
    And "Zoe" is not among the child's friends
    And the guardian's friend list holds no more friends than the profile's friend cap

  Scenario: Approvals at the same instant do not pass the friend cap
    Given the child has made friends until the watch takes no more, at most the profile's friend cap
    And the guardian removes one of them
    When 6 classmates ask the child to be friends nearby, and the guardian approves them all at the same instant
    Then the child has no more friends than the watch took before
